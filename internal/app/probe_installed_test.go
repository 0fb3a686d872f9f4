package app_test

// The installed base's keyset lists in the probe matrix: customers, units,
// the visit calendar, stuck units and the catalogue, for every demo user,
// whole and walked a small page at a time.

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
)

// keysetRoute is a list of the installed base, its guard, and the ids the
// institute sees in it (partners see none: their roles lack the right).
type keysetRoute struct {
	path  string
	guard [2]string
	want  func(w *probeWorld) map[int64]bool // nil: not an id list (calendar, stuck)
	keyed bool                               // pages by after=
}

func keysetRoutes() []keysetRoute {
	active := func(w *probeWorld) map[int64]bool {
		out := map[int64]bool{}
		for id, c := range w.customers {
			if c.Active() {
				out[id] = true
			}
		}
		return out
	}
	inService := func(w *probeWorld) map[int64]bool {
		out := map[int64]bool{}
		for id, u := range w.units {
			if !u.Retired() {
				out[id] = true
			}
		}
		return out
	}
	return []keysetRoute{
		{"/customers", [2]string{cordon.ResCustomer, cordon.ActList}, active, true},
		{"/units", [2]string{cordon.ResUnit, cordon.ActList}, inService, true},
		{"/models", [2]string{cordon.ResProduct, cordon.ActList}, func(w *probeWorld) map[int64]bool { return keys(w.models) }, false},
		{"/product-lines", [2]string{cordon.ResProduct, cordon.ActList}, nil, false},
		{"/visits", [2]string{cordon.ResUnit, cordon.ActList}, nil, false},
		{"/units/stuck", [2]string{cordon.ResUnit, cordon.ActList}, nil, false},
	}
}

// probeKeysetLists: a partner gets 403 on every route; the institute's
// roles with the right get exactly the records, and a walk by pages of 7
// meets each once.
func (h *harness) probeKeysetLists(t *testing.T, o *oracle, tokens map[string]string, st *probeStats, fields *fieldRecorder) {
	for _, r := range keysetRoutes() {
		for _, u := range probeUsers {
			query := "?limit=500"
			if r.path == "/visits" {
				query = "?weeks=26"
			}
			p := &probeRequest{method: "GET", path: "/api/v1" + r.path + query, token: tokens[u.name]}
			h.send([]*probeRequest{p})
			st.probes.Add(1)
			if p.err != nil {
				st.wrong.Add(1)
				t.Errorf("%s GET %s: %v", u.name, p.path, p.err)
				continue
			}
			if !o.may(u, r.guard) {
				if p.res.Status != 403 {
					if p.res.Status == 200 {
						st.leaks.Add(1)
						t.Errorf("LEAK: %s GET %s: got 200, want 403 (role): %.200s", u.name, p.path, p.res.Body)
					} else {
						st.wrong.Add(1)
						t.Errorf("%s GET %s: got %d, want 403 (role)", u.name, p.path, p.res.Status)
					}
				}
				continue
			}
			if u.partner() {
				st.leaks.Add(1)
				t.Errorf("LEAK: the role rules let partner %s list %s", u.name, r.path)
				continue
			}
			if p.res.Status != 200 {
				st.wrong.Add(1)
				t.Errorf("%s GET %s: got %d, want 200: %.300s", u.name, p.path, p.res.Status, p.res.Body)
				continue
			}
			fields.record(t, "GET "+r.path, fieldClass(u), p.res.Body)
			if r.want == nil {
				continue
			}
			want := r.want(o.w)
			got := h.keysetIDs(t, p.res.Body, r.keyed)
			if len(got) != len(want) {
				st.wrong.Add(1)
				t.Errorf("%s GET %s: %d records, want %d", u.name, p.path, len(got), len(want))
			}
			for id := range got {
				if !want[id] {
					st.leaks.Add(1)
					t.Errorf("LEAK: %s GET %s lists %d, which is not in the world", u.name, p.path, id)
				}
			}
			if !r.keyed {
				continue
			}
			// Walk by pages of 7: each record once, none missed.
			walked, after := map[int64]bool{}, int64(0)
			for page := 0; page < len(want)/7+3; page++ {
				path := fmt.Sprintf("/api/v1%s?limit=7", r.path)
				if after > 0 {
					path += fmt.Sprintf("&after=%d", after)
				}
				p := &probeRequest{method: "GET", path: path, token: tokens[u.name]}
				h.send([]*probeRequest{p})
				st.probes.Add(1)
				if p.err != nil || p.res.Status != 200 {
					st.wrong.Add(1)
					t.Errorf("%s GET %s: %v %v", u.name, path, p.err, p.res)
					break
				}
				var l struct {
					Items []map[string]any `json:"items"`
					Next  *int64           `json:"next"`
				}
				if err := json.Unmarshal(p.res.Body, &l); err != nil {
					t.Fatal(err)
				}
				for _, it := range l.Items {
					id := int64(it["id"].(float64))
					if walked[id] {
						st.wrong.Add(1)
						t.Errorf("%s GET %s: %d on two pages", u.name, r.path, id)
					}
					walked[id] = true
				}
				if l.Next == nil {
					break
				}
				after = *l.Next
			}
			if len(walked) != len(want) {
				st.wrong.Add(1)
				t.Errorf("%s: walking %s by pages of 7 met %d records, want %d", u.name, r.path, len(walked), len(want))
			}
		}
	}
}

// keysetIDs are the ids of a list answer: {"items": [...]} or a bare array.
func (h *harness) keysetIDs(t *testing.T, body []byte, keyed bool) map[int64]bool {
	var items []map[string]any
	if keyed {
		var l struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		items = l.Items
	} else if err := json.Unmarshal(body, &items); err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, it := range items {
		out[int64(it["id"].(float64))] = true
	}
	return out
}
