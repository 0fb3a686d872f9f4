package store

import "gorm.io/gorm"

// paged is a row of a page together with the number of rows of the whole
// result, which count(*) OVER () puts on every row.
type paged[R any] struct {
	Row   R     `gorm:"embedded"`
	Total int64 `gorm:"column:page_total"`
}

// findPage loads one page of q (its rows as cols, in order, from offset,
// at most limit when limit > 0) into rows and returns how many rows q has
// in all. The total comes from the same statement: count(*) OVER () is
// taken over every row before ORDER BY and LIMIT, so a list reads its rows
// (and pays their row-level security checks) once rather than once for a
// count and again for the page. A page past the end has no row to carry
// the total: only then is there a second statement, the count.
func findPage[R any](q *gorm.DB, cols, order string, offset, limit int, rows *[]R) (int64, error) {
	page := q.Session(&gorm.Session{}).Select(cols + ", count(*) OVER () AS page_total").Order(order).Offset(offset)
	if limit > 0 {
		page = page.Limit(limit)
	}
	var got []paged[R]
	if err := page.Find(&got).Error; err != nil {
		return 0, err
	}
	*rows = make([]R, len(got))
	for i := range got {
		(*rows)[i] = got[i].Row
	}
	if len(got) > 0 {
		return got[0].Total, nil
	}
	if offset <= 0 {
		return 0, nil
	}
	var total int64
	err := q.Session(&gorm.Session{}).Count(&total).Error
	return total, err
}
