package main

import (
	"fmt"
	"testing"
)

// TestUsersAPIJourney: a partner's admin adds a technician through the
// API, the one-time password logs in, the admin finds and disables it,
// and its session ends at once; every answer is checked against
// contracts/openapi.yaml.
func TestUsersAPIJourney(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, _ := h.login("hefei.admin")
		r := h.do("POST", "/api/v1/users", admin, map[string]any{
			"username": "hefei.zhou", "display_name": "周工", "roles": []string{"partner_technician"}})
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		created := r.JSON(t)
		user := created["user"].(map[string]any)
		r = h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "hefei.zhou", "password": created["one_time_password"].(string)})
		if r.Status != 200 {
			t.Fatalf("the one-time password does not log in: %d", r.Status)
		}
		tech := r.JSON(t)["access_token"].(string)
		if r := h.do("GET", "/api/v1/users", tech, nil); r.Status != 403 {
			t.Errorf("a technician lists users: %d, want 403", r.Status)
		}
		r = h.do("GET", "/api/v1/users?q=zhou", admin, nil)
		if got := r.JSON(t); r.Status != 200 || got["total"] != float64(1) {
			t.Errorf("search: %d %s", r.Status, r.Body)
		}
		other, _ := h.login("wuhan.admin")
		path := fmt.Sprintf("/api/v1/users/%d/disable", int64(user["id"].(float64)))
		if r := h.do("POST", path, other, nil); r.Status != 404 {
			t.Errorf("another partner's admin disables: %d, want 404", r.Status)
		}
		if r := h.do("POST", path, admin, nil); r.Status != 200 {
			t.Fatalf("disable: %d %s", r.Status, r.Body)
		}
		if r := h.do("GET", "/api/v1/me", tech, nil); r.Status != 401 {
			t.Errorf("the disabled user's token: %d, want 401", r.Status)
		}
		if r := h.do("POST", path, admin, nil); r.Status != 409 {
			t.Errorf("disable again: %d, want 409", r.Status)
		}
	})
}
