package bench

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The raw baselines: the same SQL the product runs for each case, through
// pgx on the owner's connection, behind a bare net/http handler — no
// authentication, no authorization, no row-level security transaction, no
// logging. The load generator drives them exactly as it drives Cordon.

// inboxSQL is the partner's 50 newest jobs in scope with their requests,
// each with the number of all of them: one statement for the count and the
// page, as the product's list (store.findPage).
const inboxSQL = `
SELECT j.id, j.status, j.offered_at, j.offer_expires_at, j.accepted_at, j.resolved_at, j.closed_at, j.partner_id,
       r.priority, r.category, pl.code, r.site_city, r.customer_id, r.description, count(*) OVER ()
FROM jobs j JOIN service_requests r ON r.id = j.request_id JOIN product_lines pl ON pl.id = r.product_line_id
WHERE j.partner_id = $1 AND r.site_city = ANY($2) AND pl.code = ANY($3) AND r.category = ANY($4)
ORDER BY j.created_at DESC, j.id DESC LIMIT 50`

// discloseSQL reads the job, its request and the customer's identity.
const discloseSQL = `
SELECT j.id, j.status, j.accepted_at, r.site_city, r.customer_id, ci.name, ci.unit_designation, ci.contact_person, ci.phone, ci.site_address
FROM jobs j JOIN service_requests r ON r.id = j.request_id JOIN customer_identities ci ON ci.customer_id = r.customer_id
WHERE j.id = $1 AND j.partner_id = $2`

const accessSQL = `
INSERT INTO access_events (at, user_id, org_id, contract_no, clause, resource, resource_id, action, decision, purpose, fields, request_id, client_ip)
VALUES ($1, $2, $3, $4, '§6.2', 'customer', $5, 'disclose', 'allow', $6, 'name,unit_designation,contact_person,phone,site_address', 'baseline', '127.0.0.1')`

const documentsSQL = `
SELECT d.id, d.title, pl.code, d.classification, d.version, d.media_type, d.size, d.sha256, d.created_at, count(*) OVER ()
FROM documents d JOIN product_lines pl ON pl.id = d.product_line_id
WHERE pl.code = ANY($1) AND d.classification = ANY($2)
ORDER BY d.created_at DESC, d.id DESC LIMIT 50`

const userSQL = `SELECT id, org_id, username, display_name, password_hash, disabled_at, created_at FROM users WHERE username = $1`

// Baseline serves the raw baselines for w over pool.
func Baseline(pool *pgxpool.Pool, w *World, categories []string) http.Handler {
	mux := http.NewServeMux()
	partner := func(r *http.Request) *Partner {
		i, err := strconv.Atoi(r.URL.Query().Get("p"))
		if err != nil || i < 0 || i >= len(w.Partners) {
			return nil
		}
		return w.Partners[i]
	}
	fail := func(rw http.ResponseWriter, err error) { http.Error(rw, err.Error(), http.StatusInternalServerError) }
	mux.HandleFunc("GET /inbox", func(rw http.ResponseWriter, r *http.Request) {
		p := partner(r)
		if p == nil {
			http.NotFound(rw, r)
			return
		}
		ctx := r.Context()
		var total int
		rows, err := pool.Query(ctx, inboxSQL, p.OrgID, p.Cities, p.Lines, categories)
		if err != nil {
			fail(rw, err)
			return
		}
		type job struct {
			ID                                  int64
			Status                              string
			Offered                             time.Time
			Expires, Accepted, Resolved, Closed *time.Time
			PartnerID                           int64
			Priority, Category, Line, City      string
			CustomerID                          int64
			Description                         string
		}
		var items []job
		for rows.Next() {
			var j job
			if err := rows.Scan(&j.ID, &j.Status, &j.Offered, &j.Expires, &j.Accepted, &j.Resolved, &j.Closed, &j.PartnerID,
				&j.Priority, &j.Category, &j.Line, &j.City, &j.CustomerID, &j.Description, &total); err != nil {
				rows.Close()
				fail(rw, err)
				return
			}
			items = append(items, j)
		}
		if err := rows.Err(); err != nil {
			fail(rw, err)
			return
		}
		writeJSON(rw, map[string]any{"items": items, "total": total})
	})
	mux.HandleFunc("GET /disclose", func(rw http.ResponseWriter, r *http.Request) {
		p := partner(r)
		job, err := strconv.ParseInt(r.URL.Query().Get("job"), 10, 64)
		if p == nil || err != nil {
			http.NotFound(rw, r)
			return
		}
		ctx := r.Context()
		var out struct {
			ID                                  int64
			Status                              string
			Accepted                            *time.Time
			City                                string
			CustomerID                          int64
			Name, Unit, Contact, Phone, Address string
		}
		if err := pool.QueryRow(ctx, discloseSQL, job, p.OrgID).Scan(&out.ID, &out.Status, &out.Accepted, &out.City,
			&out.CustomerID, &out.Name, &out.Unit, &out.Contact, &out.Phone, &out.Address); err != nil {
			fail(rw, err)
			return
		}
		cust := strconv.FormatInt(out.CustomerID, 10)
		if _, err := pool.Exec(ctx, accessSQL, time.Now().UTC(), p.UserID, p.OrgID, p.ContractNo, cust, "job:"+strconv.FormatInt(job, 10)); err != nil {
			fail(rw, err)
			return
		}
		writeJSON(rw, out)
	})
	mux.HandleFunc("GET /documents", func(rw http.ResponseWriter, r *http.Request) {
		p := partner(r)
		if p == nil {
			http.NotFound(rw, r)
			return
		}
		ctx := r.Context()
		classes := []string{"public", "internal"}
		var total int
		rows, err := pool.Query(ctx, documentsSQL, p.Lines, classes)
		if err != nil {
			fail(rw, err)
			return
		}
		type doc struct {
			ID                                     int64
			Title, Line, Class, Version, MediaType string
			Size                                   int64
			SHA256                                 string
			Created                                time.Time
		}
		var items []doc
		for rows.Next() {
			var d doc
			if err := rows.Scan(&d.ID, &d.Title, &d.Line, &d.Class, &d.Version, &d.MediaType, &d.Size, &d.SHA256, &d.Created, &total); err != nil {
				rows.Close()
				fail(rw, err)
				return
			}
			items = append(items, d)
		}
		if err := rows.Err(); err != nil {
			fail(rw, err)
			return
		}
		writeJSON(rw, map[string]any{"items": items, "total": total})
	})
	mux.HandleFunc("POST /login", func(rw http.ResponseWriter, r *http.Request) {
		var in struct {
			Username string `json:"username"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(rw, "bad body", http.StatusBadRequest)
			return
		}
		var u struct {
			ID, OrgID               int64
			Username, Display, Hash string
			Disabled                *time.Time
			Created                 time.Time
		}
		if err := pool.QueryRow(r.Context(), userSQL, in.Username).Scan(&u.ID, &u.OrgID, &u.Username, &u.Display, &u.Hash, &u.Disabled, &u.Created); err != nil {
			fail(rw, err)
			return
		}
		writeJSON(rw, map[string]any{"id": u.ID, "org_id": u.OrgID})
	})
	return mux
}

func writeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(v)
}
