package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/audit"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// seal runs the app's sealer once.
func (h *harness) seal() audit.SealResult { h.t.Helper(); return h.h.Seal() }

// cmd runs the binary in-process against the harness's database.
func (h *harness) cmd(args ...string) (string, error) {
	var out strings.Builder
	err := run(context.Background(), args, h.env(), strings.NewReader(""), &out, &out)
	return out.String(), err
}

// partnerAccesses has the demo partners list and view jobs.
func (h *harness) partnerAccesses() { h.t.Helper(); h.h.PartnerAccesses() }

// allEvents returns every access event, in id order.
func (h *harness) allEvents() []*cordon.AccessEvent {
	h.t.Helper()
	return h.accessEvents(cordon.AccessEventFilter{})
}

// verifierKey returns the key the app signs with.
func (h *harness) verifierKey() string { h.t.Helper(); return h.h.VerifierKey() }

func hashOf(t *testing.T, s any) audit.Hash {
	t.Helper()
	h, err := audit.ParseHash(s.(string))
	if err != nil {
		t.Fatalf("hash %v: %v", s, err)
	}
	return h
}

func hashesOf(t *testing.T, v any) []audit.Hash {
	t.Helper()
	var out []audit.Hash
	for _, x := range v.([]any) {
		out = append(out, hashOf(t, x))
	}
	return out
}

// TestAuditAPI: partners' accesses are sealed into checkpoints whose roots
// match a recomputation from the events; legal reads, filters, exports and
// proves them; nobody else may.
func TestAuditAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.partnerAccesses()
		first := h.seal()
		if first.Sealed == 0 {
			t.Fatal("nothing sealed after partner accesses")
		}
		legal, _ := h.login("legal")

		// The key, as the data directory holds it.
		r := h.do("GET", "/api/v1/audit/public-key", legal, nil)
		if r.Status != 200 || r.JSON(t)["key"] != h.verifierKey() {
			t.Fatalf("public key: %d %s", r.Status, r.Body)
		}
		vkey := h.verifierKey()

		// The latest checkpoint: signed, and its root is the root of the
		// events recomputed in id order.
		r = h.do("GET", "/api/v1/audit/checkpoints", legal, nil)
		if r.Status != 200 {
			t.Fatalf("checkpoints: %d %s", r.Status, r.Body)
		}
		items := r.JSON(t)["items"].([]any)
		latest := items[0].(map[string]any)
		c, err := audit.OpenCheckpoint([]byte(latest["checkpoint"].(string)), vkey)
		if err != nil {
			t.Fatal(err)
		}
		events := h.allEvents()
		var hashes []audit.Hash
		for _, e := range events {
			hashes = append(hashes, audit.LeafHash(audit.EncodeLeaf(e)))
		}
		if c.Size != first.Size || uint64(len(hashes)) != c.Size || c.Root != audit.Root(hashes) || hashOf(t, latest["root"]) != c.Root {
			t.Fatalf("checkpoint %d %s; recomputed %d events, root %s", c.Size, c.Root, len(hashes), audit.Root(hashes))
		}

		// Filters: a partner's denials (jobs 1 to 3 are hefei's), sealed.
		admin, _ := h.login("contracts")
		wuhan := h.partnerIDs(admin)["wuhan"]
		r = h.do("GET", fmt.Sprintf("/api/v1/access-events?partner=%d&decision=deny&resource=job&action=view&limit=2", wuhan), legal, nil)
		if r.Status != 200 {
			t.Fatalf("filtered list: %d %s", r.Status, r.Body)
		}
		page := r.JSON(t)
		if page["total"].(float64) != 3 || len(page["items"].([]any)) != 2 {
			t.Fatalf("wuhan's denials: %s", r.Body)
		}
		for _, it := range page["items"].([]any) {
			e := it.(map[string]any)
			if e["org_id"].(float64) != float64(wuhan) || e["decision"] != "deny" || e["leaf_index"] == nil {
				t.Errorf("filtered event %v", e)
			}
		}
		r = h.do("GET", "/api/v1/access-events?contract=HF-2026-001&from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z", legal, nil)
		for _, it := range r.JSON(t)["items"].([]any) {
			if it.(map[string]any)["contract_no"] != "HF-2026-001" {
				t.Errorf("contract filter: %v", it)
			}
		}
		if r.JSON(t)["total"].(float64) == 0 {
			t.Error("no events under HF-2026-001")
		}
		for _, q := range []string{"to=yesterday", "contract=a%00b", "resource=%FF%FE", "partner=x", "decision=maybe", "format=xml"} {
			if r := h.do("GET", "/api/v1/access-events?"+q, legal, nil); r.Status != 400 {
				t.Errorf("access-events?%s: %d, want 400", q, r.Status)
			}
		}

		// CSV: every event, with its leaf index.
		r = h.do("GET", "/api/v1/access-events?format=csv", legal, nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", r.Status, r.Body)
		}
		rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil || len(rows) != len(events)+1 || rows[0][16] != "leaf_index" || rows[1][16] != "0" {
			t.Fatalf("csv: %d rows for %d events (%v)", len(rows), len(events), err)
		}

		// A proof for an event, checked here with nothing but the key.
		ev := events[len(events)/2]
		r = h.do("GET", fmt.Sprintf("/api/v1/audit/proof?event=%d", ev.ID), legal, nil)
		if r.Status != 200 {
			t.Fatalf("proof: %d %s", r.Status, r.Body)
		}
		p := r.JSON(t)
		pc, err := audit.OpenCheckpoint([]byte(p["checkpoint"].(map[string]any)["checkpoint"].(string)), vkey)
		if err != nil {
			t.Fatal(err)
		}
		leaf := audit.LeafHash([]byte(p["leaf"].(string)))
		if err := audit.VerifyInclusion(uint64(p["leaf_index"].(float64)), pc.Size, leaf, hashesOf(t, p["hashes"]), pc.Root); err != nil {
			t.Errorf("proof of event %d: %v", ev.ID, err)
		}
		if d, _ := audit.DecodeLeaf([]byte(p["leaf"].(string))); d == nil || d.ID != ev.ID {
			t.Errorf("the proof's leaf is not event %d", ev.ID)
		}

		// More accesses, a second checkpoint, and the proof that it
		// extends the first.
		h.clock.Add(time.Minute)
		h.partnerAccesses()
		second := h.seal()
		r = h.do("GET", fmt.Sprintf("/api/v1/audit/consistency?from=%d&to=%d", first.Size, second.Size), legal, nil)
		if r.Status != 200 {
			t.Fatalf("consistency: %d %s", r.Status, r.Body)
		}
		cp := r.JSON(t)
		from, err := audit.OpenCheckpoint([]byte(cp["from_checkpoint"].(map[string]any)["checkpoint"].(string)), vkey)
		if err != nil {
			t.Fatal(err)
		}
		to, err := audit.OpenCheckpoint([]byte(cp["to_checkpoint"].(map[string]any)["checkpoint"].(string)), vkey)
		if err != nil {
			t.Fatal(err)
		}
		if err := audit.VerifyConsistency(from.Size, to.Size, from.Root, to.Root, hashesOf(t, cp["hashes"])); err != nil {
			t.Errorf("consistency %d-%d: %v", from.Size, to.Size, err)
		}

		// Not sealed yet, and out of range.
		h.partnerAccesses()
		unsealed := h.allEvents()
		if r := h.do("GET", fmt.Sprintf("/api/v1/audit/proof?event=%d", unsealed[len(unsealed)-1].ID), legal, nil); r.Status != 404 {
			t.Errorf("proof of an unsealed event: %d", r.Status)
		}
		if r := h.do("GET", fmt.Sprintf("/api/v1/audit/consistency?from=1&to=%d", second.Size+1), legal, nil); r.Status != 400 {
			t.Errorf("consistency beyond the log: %d", r.Status)
		}

		// Only legal.
		for _, u := range []string{"hefei.tech", "hefei.admin", "dispatcher", "admin"} {
			tok, _ := h.login(u)
			for _, path := range []string{"/api/v1/access-events", "/api/v1/access-events?format=csv", "/api/v1/audit/public-key",
				"/api/v1/audit/checkpoints", "/api/v1/audit/proof?event=1", "/api/v1/audit/consistency?from=1", "/api/v1/audit/export"} {
				if r := h.do("GET", path, tok, nil); r.Status != 403 {
					t.Errorf("%s GET %s: %d, want 403", u, path, r.Status)
				}
			}
		}
		if r := h.do("GET", "/api/v1/audit/checkpoints", "", nil); r.Status != 401 {
			t.Errorf("anonymous: %d", r.Status)
		}

		// The sealed log verifies, events not sealed yet are only counted.
		out, err := h.cmd("audit", "verify")
		if err != nil || !strings.Contains(out, "OK:") {
			t.Errorf("cordon audit verify: %v\n%s", err, out)
		}
	})
}

// tamper changes the access log under the application, as the database
// owner with the append-only triggers out of the way.
func (h *harness) tamper(stmts ...string) {
	h.t.Helper()
	if h.cfg.DatabaseURL != "" {
		q := "ALTER TABLE access_events DISABLE TRIGGER USER; " + strings.Join(stmts, "; ") + "; ALTER TABLE access_events ENABLE TRIGGER USER"
		storetest.Exec(h.t, h.cfg.DatabaseURL, "", q)
		return
	}
	storetest.Exec(h.t, "", h.cfg.DataDir, "DROP TRIGGER IF EXISTS access_events_no_update")
	storetest.Exec(h.t, "", h.cfg.DataDir, "DROP TRIGGER IF EXISTS access_events_no_delete")
	for _, q := range stmts {
		storetest.Exec(h.t, "", h.cfg.DataDir, q)
	}
}

// TestAuditVerifyNamesTampering: each change made in the database as its
// owner, triggers disabled, is reported by cordon audit verify, naming the
// event, and the command fails.
func TestAuditVerifyNamesTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(h *harness, a, b, gap int64)
		want   func(a, b, gap int64) []string
	}{
		{"update", func(h *harness, a, b, gap int64) {
			h.tamper(fmt.Sprintf("UPDATE access_events SET purpose = 'job:0', decision = 'deny' WHERE id = %d", a))
		}, func(a, b, gap int64) []string {
			return []string{fmt.Sprintf("changed    event %d (leaf ", a), "the row differs from what was sealed"}
		}},
		{"delete", func(h *harness, a, b, gap int64) {
			h.tamper(fmt.Sprintf("DELETE FROM access_events WHERE id = %d", a))
		}, func(a, b, gap int64) []string {
			return []string{fmt.Sprintf("removed    event %d (leaf ", a), "the sealed event is missing from the database"}
		}},
		{"insert", func(h *harness, a, b, gap int64) {
			h.tamper(fmt.Sprintf(`INSERT INTO access_events (id, at, user_id, org_id, resource, resource_id, action, decision)
				VALUES (%d, '2026-11-02 09:00:00+00:00', 1, 1, 'customer', '7', 'disclose', 'allow')`, gap))
		}, func(a, b, gap int64) []string {
			return []string{fmt.Sprintf("inserted   event %d: not in the log: its id was recorded as an insert that rolled back", gap)}
		}},
		{"reorder", func(h *harness, a, b, gap int64) {
			h.tamper(
				fmt.Sprintf("UPDATE access_events SET id = -1 WHERE id = %d", a),
				fmt.Sprintf("UPDATE access_events SET id = %d WHERE id = %d", a, b),
				fmt.Sprintf("UPDATE access_events SET id = %d WHERE id = -1", b))
		}, func(a, b, gap int64) []string {
			return []string{
				fmt.Sprintf("reordered  event %d (leaf ", a), fmt.Sprintf("the row holds what was sealed as event %d", b),
				fmt.Sprintf("reordered  event %d (leaf ", b), fmt.Sprintf("the row holds what was sealed as event %d", a),
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, h *harness) {
				h.partnerAccesses()
				// An id that never commits (as after a rollback): the sealer
				// waits, then records the gap.
				events := h.allEvents()
				gap := events[len(events)-1].ID + 1
				storetest.Exec(t, h.cfg.DatabaseURL, h.cfg.DataDir, fmt.Sprintf(`INSERT INTO access_events (id, at, user_id, org_id, resource, action, decision)
					VALUES (%d, '2026-11-02 09:00:00+00:00', 1, 1, 'job', 'view', 'deny')`, gap+1))
				h.seal()
				h.clock.Add(time.Minute)
				if res := h.seal(); res.Gaps != 1 {
					t.Fatalf("the gap was not recorded: %+v", res)
				}
				if out, err := h.cmd("audit", "verify"); err != nil {
					t.Fatalf("before tampering: %v\n%s", err, out)
				}
				// Two sealed events whose contents differ.
				var a, b int64
				for _, e := range events[1:] {
					if e.Decision != events[0].Decision || e.ResourceID != events[0].ResourceID {
						a, b = events[0].ID, e.ID
						break
					}
				}
				tc.tamper(h, a, b, gap)
				out, err := h.cmd("audit", "verify")
				if err == nil || !strings.Contains(out, "FAILED") {
					t.Fatalf("cordon audit verify after tampering: %v\n%s", err, out)
				}
				for _, w := range tc.want(a, b, gap) {
					if !strings.Contains(out, w) {
						t.Errorf("the report lacks %q:\n%s", w, out)
					}
				}
			})
		})
	}
}

// TestAuditBundleCommands: an exported bundle verifies offline and fails
// when any one byte of an event line, a proof or the checkpoint changes.
func TestAuditBundleCommands(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.partnerAccesses()
		h.seal()
		legal, _ := h.login("legal")
		r := h.do("GET", "/api/v1/audit/export?from=2026-11-01T00:00:00Z", legal, nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export: %d %s", r.Status, r.Body)
		}
		// The export itself is in the log.
		res, act := cordon.ResAudit, cordon.ActExport
		if evs := h.accessEvents(cordon.AccessEventFilter{Resource: &res, Action: &act}); len(evs) != 1 || evs[0].RequestID == "" {
			t.Errorf("export events: %+v", evs)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "bundle.zip")
		if err := os.WriteFile(file, r.Body, 0o600); err != nil {
			t.Fatal(err)
		}
		vkey := h.verifierKey()
		keyFile := filepath.Join(dir, "key.txt")
		os.WriteFile(keyFile, []byte(vkey+"\n"), 0o600)
		// No server, no database: the command needs neither.
		offline := func(args ...string) (string, error) {
			var out strings.Builder
			err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &out)
			return out.String(), err
		}
		out, err := offline("audit", "verify-bundle", file, "--key", keyFile)
		if err != nil || !strings.Contains(out, "OK:") {
			t.Fatalf("verify-bundle: %v\n%s", err, out)
		}
		if out, err := offline("audit", "verify-bundle", "--key", vkey, file); err != nil {
			t.Fatalf("verify-bundle, key first: %v\n%s", err, out)
		}

		// One byte changed in an event line, a proof, the checkpoint.
		at := func(marker string) int {
			i := bytes.Index(r.Body, []byte(marker))
			if i < 0 {
				t.Fatalf("no %q in the bundle", marker)
			}
			return i
		}
		firstEvent := h.allEvents()[0]
		for _, tc := range []struct {
			name string
			pos  int
			want string
		}{
			{"event line", at(`"purpose":"`) + len(`"purpose":"`), fmt.Sprintf("event %d (leaf 0)", firstEvent.ID)},
			{"proof", at(`{"event_id":`) + len(`{"event_id":`) + 2, "proofs.jsonl"},
			{"checkpoint", at("\ntime 20") + 8, "checkpoint.txt"},
			{"signature", at("— "+audit.DefaultOrigin) + len("— "+audit.DefaultOrigin) + 5, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				bad := bytes.Clone(r.Body)
				bad[tc.pos] ^= 0x01
				f := filepath.Join(dir, tc.name+".zip")
				os.WriteFile(f, bad, 0o600)
				out, err := offline("audit", "verify-bundle", f, "--key", vkey)
				if err == nil || !strings.Contains(out, "FAILED") || !strings.Contains(out, tc.want) {
					t.Errorf("one byte changed in the %s: %v\n%s", tc.name, err, out)
				}
			})
		}
		if r := h.do("GET", "/api/v1/audit/export?from=tomorrow", legal, nil); r.Status != 400 {
			t.Errorf("a bad time: %d", r.Status)
		}
	})
}

// TestAuditKeyCommand: the verifier key legal keeps apart is the one the
// server signs with, and a key given by configuration is used.
func TestAuditKeyCommand(t *testing.T) {
	h := newHarness(t, "")
	out, err := h.cmd("audit", "key")
	if err != nil || strings.TrimSpace(out) != h.verifierKey() {
		t.Fatalf("audit key: %v %q, want %q", err, out, h.verifierKey())
	}
	info, err := os.Stat(filepath.Join(h.cfg.DataDir, audit.KeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", info.Mode(), err)
	}
	elsewhere := filepath.Join(t.TempDir(), "k.pem")
	env := map[string]string{"CORDON_DATA_DIR": h.cfg.DataDir, auditKeyEnv: elsewhere}
	var b strings.Builder
	if err := run(context.Background(), []string{"audit", "key"}, func(k string) string { return env[k] }, strings.NewReader(""), &b, &b); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(b.String()) == h.verifierKey() {
		t.Error("CORDON_AUDIT_KEY_FILE was ignored")
	}
	// Verifying with the wrong key fails.
	h.partnerAccesses()
	h.seal()
	if out, err := h.cmd("audit", "verify", "--key", strings.TrimSpace(b.String())); err == nil {
		t.Errorf("verify with another key passed:\n%s", out)
	}
	if _, err := h.cmd("audit", "nonsense"); err == nil {
		t.Error("an unknown subcommand passed")
	}
}

// TestAuditRootsMatchStore: a spot check that what the harness reads back
// is what the sealer hashed, in hex.
func TestAuditRootsMatchStore(t *testing.T) {
	h := newHarness(t, "")
	h.partnerAccesses()
	res := h.seal()
	cp, err := store.NewAuditLog(h.db).LatestCheckpoint(context.Background())
	if err != nil || cp.Size != res.Size {
		t.Fatalf("latest checkpoint: %v", err)
	}
	legal, _ := h.login("legal")
	r := h.do("GET", "/api/v1/audit/checkpoints?limit=1", legal, nil)
	if got := r.JSON(t)["items"].([]any)[0].(map[string]any)["root"]; got != hex.EncodeToString(cp.Root[:]) {
		t.Errorf("root %v, want %x", got, cp.Root)
	}
}

// TestAuditReports: legal's reports on the access log — who saw a
// customer's identity under which clause, and denied attempts by partner
// with a spike flagged — agree with the events, and only legal reads them.
func TestAuditReports(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		legal, _ := h.login("legal")
		tech, _ := h.login("hefei.tech")
		for id := range h.jobIDs(tech) {
			h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/customer", id), tech, nil)
		}
		dispatcher, _ := h.login("dispatcher")
		for id := range h.jobIDs(dispatcher) {
			h.do("GET", fmt.Sprintf("/api/v1/jobs/%d/customer", id), dispatcher, nil)
			break
		}
		res, disclose := cordon.ResCustomer, cordon.ActDisclose
		disclosures := h.accessEvents(cordon.AccessEventFilter{Resource: &res, Action: &disclose})
		customer := ""
		for _, e := range disclosures {
			if e.Decision == cordon.Allow && e.ContractNo != "" {
				customer = e.ResourceID
				break
			}
		}
		if customer == "" {
			t.Fatalf("no partner saw a customer's identity: %d disclosure events", len(disclosures))
		}

		// Who saw the customer: the groups add up to the events.
		r := h.do("GET", "/api/v1/access-events/disclosures?customer="+customer, legal, nil)
		if r.Status != 200 {
			t.Fatalf("disclosures: %d %s", r.Status, r.Body)
		}
		want := map[string]int{}
		for _, e := range disclosures {
			if e.ResourceID == customer {
				want[fmt.Sprint(e.OrgID, e.UserID, e.ContractNo, e.Clause, strings.Join(e.Fields, ","), e.Decision)]++
			}
		}
		got := map[string]int{}
		partnerClause := false
		for _, it := range r.JSON(t)["items"].([]any) {
			g := it.(map[string]any)
			var fields []string
			for _, f := range g["fields"].([]any) {
				fields = append(fields, f.(string))
			}
			got[fmt.Sprint(int64(g["org_id"].(float64)), int64(g["user_id"].(float64)), g["contract_no"], g["clause"], strings.Join(fields, ","), g["decision"])] += int(g["count"].(float64))
			partnerClause = partnerClause || g["contract_no"] != "" && g["clause"] != "" && len(fields) > 0
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || !partnerClause {
			t.Errorf("disclosures of customer %s: got %v, want %v", customer, got, want)
		}
		total := 0
		for _, n := range want {
			total += n
		}
		r = h.do("GET", "/api/v1/access-events?action=disclose&customer="+customer, legal, nil)
		if r.Status != 200 || int(r.JSON(t)["total"].(float64)) != total {
			t.Errorf("list with customer=%s: %d %s, want total %d", customer, r.Status, r.Body, total)
		}

		// Denials: wuhan tries hefei's jobs a dozen times in an hour, a
		// spike; xian twice, not one.
		admin, _ := h.login("contracts")
		ids := h.partnerIDs(admin)
		wuhan, _ := h.login("wuhan.admin")
		for i := range 12 {
			h.do("GET", fmt.Sprintf("/api/v1/jobs/%d", 1+i%3), wuhan, nil)
		}
		xian, _ := h.login("xian.tech")
		for i := range 2 {
			h.do("GET", fmt.Sprintf("/api/v1/jobs/%d", 1+i), xian, nil)
		}
		r = h.do("GET", "/api/v1/access-events/denials", legal, nil)
		if r.Status != 200 {
			t.Fatalf("denials: %d %s", r.Status, r.Body)
		}
		rep := r.JSON(t)
		if rep["bucket"] != "hour" || rep["to"] != "2026-11-02T10:00:00Z" || rep["from"] != "2026-10-26T10:00:00Z" || !strings.Contains(rep["rule"].(string), "max(10") {
			t.Errorf("report header: %v %v %v %v", rep["bucket"], rep["from"], rep["to"], rep["rule"])
		}
		deny := cordon.Deny
		byOrg := map[int64]map[string]any{}
		for _, it := range rep["partners"].([]any) {
			p := it.(map[string]any)
			byOrg[int64(p["org_id"].(float64))] = p
		}
		first := rep["partners"].([]any)[0].(map[string]any)
		for _, code := range []string{"wuhan", "xian"} {
			org := ids[code]
			p := byOrg[org]
			n := len(h.accessEvents(cordon.AccessEventFilter{OrgID: &org, Decision: &deny}))
			if p == nil || int(p["total"].(float64)) != n {
				t.Errorf("%s: report %v, %d denials in the log", code, p, n)
				continue
			}
			spike := code == "wuhan"
			if p["spike"] != spike || len(p["spikes"].([]any)) != map[bool]int{true: 1}[spike] {
				t.Errorf("%s: spike %v %v, want %v", code, p["spike"], p["spikes"], spike)
			}
			if spike && (first["org_id"].(float64) != float64(org) || p["spikes"].([]any)[0].(map[string]any)["threshold"].(float64) != 10) {
				t.Errorf("wuhan's spike is not first, or its threshold not 10: %s", r.Body)
			}
		}
		r = h.do("GET", "/api/v1/access-events/denials?bucket=day&from=2026-11-01T00:00:00Z&to=2026-11-02T09:30:00Z", legal, nil)
		if r.Status != 200 || r.JSON(t)["to"] != "2026-11-03T00:00:00Z" {
			t.Errorf("by day: %d %s", r.Status, r.Body)
		}

		for _, q := range []string{"disclosures", "disclosures?customer=x", "disclosures?customer=0", "disclosures?customer=1&from=yesterday",
			"disclosures?customer=1&from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "denials?bucket=week", "denials?to=soon",
			"denials?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "denials?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
			"?customer=1&resource=job", "?customer=-1"} {
			path := "/api/v1/access-events/" + q
			if q[0] == '?' {
				path = "/api/v1/access-events" + q
			}
			if r := h.do("GET", path, legal, nil); r.Status != 400 {
				t.Errorf("%s: %d, want 400: %s", q, r.Status, r.Body)
			}
		}
		for _, u := range []string{"hefei.tech", "hefei.admin", "dispatcher", "admin"} {
			tok, _ := h.login(u)
			for _, path := range []string{"/api/v1/access-events/disclosures?customer=" + customer, "/api/v1/access-events/denials"} {
				if r := h.do("GET", path, tok, nil); r.Status != 403 {
					t.Errorf("%s GET %s: %d, want 403", u, path, r.Status)
				}
			}
		}
		if r := h.do("GET", "/api/v1/access-events/denials", "", nil); r.Status != 401 {
			t.Errorf("anonymous: %d", r.Status)
		}
	})
}
