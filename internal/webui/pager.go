package webui

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// Page sizes of the portal's lists: size in the query is clamped to
// 1..maxPageSize; without it a list shows defaultPageSize rows.
const (
	defaultPageSize = 50
	maxPageSize     = 200
	maxPageNumber   = 20_000
)

// listPager is one list's position: which page of how many rows, out of how
// many in all, and the links to the others. The list's other query
// parameters (filters, the language) stay in every link.
type listPager struct {
	Param string // the query parameter naming the page: "page", or another for a second list
	Page  int    // 1-based
	Size  int
	Total int
	path  string
	query url.Values
}

// listPagerOf reads the page number from param and the page size from size,
// clamping both: a page link never fails, it shows the nearest page.
func listPagerOf(c *fiber.Ctx, param string) *listPager {
	p := &listPager{Param: param, Page: 1, Size: defaultPageSize, path: c.Path()}
	if n, err := strconv.Atoi(c.Query(param)); err == nil && n > 1 {
		p.Page = min(n, maxPageNumber)
	}
	if n, err := strconv.Atoi(c.Query("size")); err == nil {
		p.Size = max(1, min(n, maxPageSize))
	}
	p.query = url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		p.query.Add(string(k), string(v))
	})
	return p
}

// Offset is the first row of the page.
func (p *listPager) Offset() int { return (p.Page - 1) * p.Size }

// Limit is the page size.
func (p *listPager) Limit() int { return p.Size }

// Pages is the number of pages, at least one.
func (p *listPager) Pages() int { return max(1, (p.Total+p.Size-1)/p.Size) }

// First and Last are the 1-based numbers of the rows shown (0 and 0 for
// an empty page).
func (p *listPager) First() int {
	if p.Total == 0 || p.Offset() >= p.Total {
		return 0
	}
	return p.Offset() + 1
}

func (p *listPager) Last() int { return min(p.Offset()+p.Size, p.Total) }

// Href is the link to page n of the list.
func (p *listPager) Href(n int) string {
	q := url.Values{}
	for k, v := range p.query {
		q[k] = append([]string(nil), v...)
	}
	if n <= 1 {
		q.Del(p.Param)
	} else {
		q.Set(p.Param, strconv.Itoa(n))
	}
	if len(q) == 0 {
		return p.path
	}
	return p.path + "?" + q.Encode()
}

// pageLink is one link of the page navigation; N 0 is a gap.
type pageLink struct {
	N       int
	Href    string
	Current bool
}

// Links are the numbered links: the first, the last and two either side
// of the current page, with gaps between.
func (p *listPager) Links() []pageLink {
	last := p.Pages()
	var out []pageLink
	prev := 0
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < p.Page-2 || n > p.Page+2) {
			continue
		}
		if prev != 0 && n > prev+1 {
			out = append(out, pageLink{})
		}
		out = append(out, pageLink{N: n, Href: p.Href(n), Current: n == p.Page})
		prev = n
	}
	return out
}

// Prev and Next are the neighbouring pages' links, "" at either end.
func (p *listPager) Prev() string {
	if p.Page <= 1 {
		return ""
	}
	return p.Href(min(p.Page-1, p.Pages()))
}

func (p *listPager) Next() string {
	if p.Page >= p.Pages() {
		return ""
	}
	return p.Href(p.Page + 1)
}

// pagerView is what the pager template renders.
type pagerView struct {
	L Locale
	P *listPager
}

// keysetPager is a list read a keyset page at a time (customers, units):
// rows after an id, in order of id, so that the 5,000th page costs what
// the first does. There are no page numbers: a "next page" link carries
// the id the service named, and "first page" starts again. The list's
// other query parameters stay in both links.
type keysetPager struct {
	After int64 // the id this page starts after; 0 on the first page
	Next  int64 // the id to ask after for the next page; 0 at the end
	Size  int
	Shown int // rows on this page
	path  string
	query url.Values
}

// keysetOf reads after and size from the query; a value that is not a
// positive number is the first page, not an error.
func keysetOf(c *fiber.Ctx) *keysetPager {
	k := &keysetPager{Size: defaultPageSize, path: c.Path(), query: url.Values{}}
	if n, err := strconv.ParseInt(c.Query("after"), 10, 64); err == nil && n > 0 {
		k.After = n
	}
	if n, err := strconv.Atoi(c.Query("size")); err == nil {
		k.Size = max(1, min(n, maxPageSize))
	}
	c.Context().QueryArgs().VisitAll(func(key, v []byte) {
		k.query.Add(string(key), string(v))
	})
	return k
}

// href is the list's link starting after id (0: the first page).
func (k *keysetPager) href(id int64) string {
	q := url.Values{}
	for key, v := range k.query {
		q[key] = append([]string(nil), v...)
	}
	q.Del("after")
	if id > 0 {
		q.Set("after", strconv.FormatInt(id, 10))
	}
	if len(q) == 0 {
		return k.path
	}
	return k.path + "?" + q.Encode()
}

// NextHref is the next page's link, "" at the end.
func (k *keysetPager) NextHref() string {
	if k.Next == 0 {
		return ""
	}
	return k.href(k.Next)
}

// FirstHref is the first page's link, "" on the first page.
func (k *keysetPager) FirstHref() string {
	if k.After == 0 {
		return ""
	}
	return k.href(0)
}

// keysetView is what the keyset template renders.
type keysetView struct {
	L Locale
	K *keysetPager
}
