package api

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// registerAuditRoutes adds the access log for legal: events (as pages or
// CSV), checkpoints, proofs, the verifier key and evidence bundles. Every
// route needs the legal auditor's rights; docs/audit.md says why the key is
// behind them too.
func registerAuditRoutes(r fiber.Router, h *Handler, g Guards) {
	list := g.Require(cordon.ResAccessEvent, cordon.ActList)
	listCSV := g.RequireAll([2]string{cordon.ResAccessEvent, cordon.ActList}, [2]string{cordon.ResAccessEvent, cordon.ActExport})
	r.Get("/access-events", g.Authenticated,
		func(c *fiber.Ctx) error {
			if c.Query("format") == "csv" {
				return listCSV(c) // and on to the handler, if allowed
			}
			return list(c)
		}, h.handleAccessEventList)
	r.Get("/access-events/disclosures", g.Authenticated, g.Require(cordon.ResAccessEvent, cordon.ActList), h.handleAccessDisclosures)
	r.Get("/access-events/denials", g.Authenticated, g.Require(cordon.ResAccessEvent, cordon.ActList), h.handleAccessDenials)
	r.Get("/audit/public-key", g.Authenticated, g.Require(cordon.ResAudit, cordon.ActView), h.handleAuditPublicKey)
	r.Get("/audit/checkpoints", g.Authenticated, g.Require(cordon.ResAudit, cordon.ActList), h.handleAuditCheckpoints)
	r.Get("/audit/proof", g.Authenticated, g.Require(cordon.ResAudit, cordon.ActVerify), h.handleAuditProof)
	r.Get("/audit/consistency", g.Authenticated, g.Require(cordon.ResAudit, cordon.ActVerify), h.handleAuditConsistency)
	r.Get("/audit/export", g.Authenticated, g.Require(cordon.ResAudit, cordon.ActExport), h.handleAuditExport)
}

type accessEventJSON struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	UserID     int64     `json:"user_id"`
	OrgID      int64     `json:"org_id"`
	ContractNo string    `json:"contract_no"`
	Clause     string    `json:"clause"`
	Resource   string    `json:"resource"`
	ResourceID string    `json:"resource_id"`
	Action     string    `json:"action"`
	Decision   string    `json:"decision"`
	Purpose    string    `json:"purpose"`
	Fields     []string  `json:"fields"`
	RequestID  string    `json:"request_id"`
	ClientIP   string    `json:"client_ip"`
	FileSHA256 string    `json:"file_sha256"`
	DownloadID string    `json:"download_id"`
	LeafIndex  *uint64   `json:"leaf_index"`
}

func toAccessEventJSON(e *cordon.AccessEvent, leaf *uint64) accessEventJSON {
	fields := e.Fields
	if fields == nil {
		fields = []string{}
	}
	return accessEventJSON{
		ID: e.ID, At: e.At, UserID: e.UserID, OrgID: e.OrgID, ContractNo: e.ContractNo, Clause: e.Clause,
		Resource: e.Resource, ResourceID: e.ResourceID, Action: e.Action, Decision: string(e.Decision),
		Purpose: e.Purpose, Fields: fields, RequestID: e.RequestID, ClientIP: e.ClientIP,
		FileSHA256: e.FileSHA256, DownloadID: e.DownloadID, LeafIndex: leaf,
	}
}

// accessEventFilter reads the list's query: partner (an org id), contract,
// user, resource, resource_id, action, decision, from and to (RFC 3339).
func accessEventFilter(c *fiber.Ctx) (cordon.AccessEventFilter, error) {
	var f cordon.AccessEventFilter
	for _, x := range []struct {
		name string
		dst  **int64
	}{{"partner", &f.OrgID}, {"user", &f.UserID}} {
		if v := c.Query(x.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return f, cordon.FieldErr(x.name, "api.numeric_id", x.name)
			}
			*x.dst = &n
		}
	}
	for _, x := range []struct {
		name string
		dst  **string
	}{{"contract", &f.ContractNo}, {"resource", &f.Resource}, {"resource_id", &f.ResourceID}, {"action", &f.Action}} {
		if v := c.Query(x.name); v != "" {
			if len(v) > 128 || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return f, cordon.FieldErr(x.name, "api.text_most_128_characters", x.name)
			}
			v = string([]byte(v)) // Fiber's strings are reused after the handler
			*x.dst = &v
		}
	}
	if v := c.Query("customer"); v != "" {
		// Shorthand for the customer's identity: resource customer, its id.
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, cordon.FieldErr("customer", "api.customer_numeric_id")
		}
		res, id := cordon.ResCustomer, strconv.FormatInt(n, 10)
		if f.Resource != nil && *f.Resource != res || f.ResourceID != nil && *f.ResourceID != id {
			return f, cordon.FieldErr("customer", "api.customer_contradicts_resource_resource_id")
		}
		f.Resource, f.ResourceID = &res, &id
	}
	if v := c.Query("decision"); v != "" {
		d := cordon.Decision(v)
		if d != cordon.Allow && d != cordon.Deny {
			return f, cordon.FieldErr("decision", "api.decision_allow_deny")
		}
		f.Decision = &d
	}
	var err error
	if f.From, err = timeParam(c, "from"); err != nil {
		return f, err
	}
	if f.To, err = timeParam(c, "to"); err != nil {
		return f, err
	}
	return f, nil
}

// timeParam reads an optional RFC 3339 time.
func timeParam(c *fiber.Ctx, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, cordon.FieldErr(name, "api.time_rfc_3339_such_2026", name)
	}
	return &t, nil
}

func (h *Handler) handleAccessEventList(c *fiber.Ctx) error {
	f, err := accessEventFilter(c)
	if err != nil {
		return err
	}
	switch c.Query("format") {
	case "", "json":
	case "csv":
		var buf bytes.Buffer
		if err := h.svc.Audit.ExportAccessEvents(c.UserContext(), f, &buf); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="access-events.csv"`)
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(buf.Bytes())
	default:
		return cordon.FieldErr("format", "api.format_json_csv")
	}
	if f.Offset, f.Limit, err = pageParams(c); err != nil {
		return err
	}
	events, total, err := h.svc.Audit.FindAccessEvents(c.UserContext(), f)
	if err != nil {
		return err
	}
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	leaves, err := h.svc.Audit.LeafIndexes(c.UserContext(), ids)
	if err != nil {
		return err
	}
	out := listJSON[accessEventJSON]{Items: make([]accessEventJSON, len(events)), Total: total, Offset: f.Offset, Limit: f.Limit}
	for i, e := range events {
		var leaf *uint64
		if l, ok := leaves[e.ID]; ok {
			leaf = &l
		}
		out.Items[i] = toAccessEventJSON(e, leaf)
	}
	return c.JSON(out)
}

func (h *Handler) handleAuditPublicKey(c *fiber.Ctx) error {
	key, err := h.svc.Audit.PublicKey(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"key": key, "algorithm": "Ed25519"})
}

type checkpointJSON struct {
	Size       uint64    `json:"size"`
	Root       string    `json:"root"`
	Time       time.Time `json:"time"`
	Checkpoint string    `json:"checkpoint"`
}

func toCheckpointJSON(cp *cordon.AuditCheckpoint) *checkpointJSON {
	if cp == nil {
		return nil
	}
	return &checkpointJSON{Size: cp.Size, Root: hex.EncodeToString(cp.Root[:]), Time: cp.At, Checkpoint: string(cp.Note)}
}

func hexes(hs [][32]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}

func (h *Handler) handleAuditCheckpoints(c *fiber.Ctx) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	cps, total, err := h.svc.Audit.FindCheckpoints(c.UserContext(), offset, limit)
	if err != nil {
		return err
	}
	out := listJSON[*checkpointJSON]{Items: make([]*checkpointJSON, len(cps)), Total: total, Offset: offset, Limit: limit}
	for i, cp := range cps {
		out.Items[i] = toCheckpointJSON(cp)
	}
	return c.JSON(out)
}

type inclusionJSON struct {
	EventID    int64           `json:"event_id"`
	LeafIndex  uint64          `json:"leaf_index"`
	TreeSize   uint64          `json:"tree_size"`
	Leaf       string          `json:"leaf"`
	LeafHash   string          `json:"leaf_hash"`
	Root       string          `json:"root"`
	Hashes     []string        `json:"hashes"`
	Checkpoint *checkpointJSON `json:"checkpoint"`
}

func (h *Handler) handleAuditProof(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Query("event"), 10, 64)
	if err != nil || id <= 0 {
		return cordon.FieldErr("event", "api.event_numeric_id_access_event")
	}
	p, err := h.svc.Audit.ProveInclusion(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(inclusionJSON{
		EventID: p.EventID, LeafIndex: p.LeafIndex, TreeSize: p.Checkpoint.Size, Leaf: string(p.Leaf),
		LeafHash: hex.EncodeToString(p.LeafHash[:]), Root: hex.EncodeToString(p.Checkpoint.Root[:]),
		Hashes: hexes(p.Path), Checkpoint: toCheckpointJSON(p.Checkpoint),
	})
}

type consistencyJSON struct {
	From           uint64          `json:"from"`
	To             uint64          `json:"to"`
	FromRoot       string          `json:"from_root"`
	ToRoot         string          `json:"to_root"`
	Hashes         []string        `json:"hashes"`
	FromCheckpoint *checkpointJSON `json:"from_checkpoint"`
	ToCheckpoint   *checkpointJSON `json:"to_checkpoint"`
}

func (h *Handler) handleAuditConsistency(c *fiber.Ctx) error {
	// from is required; to defaults to the latest checkpoint (0).
	var sizes [2]uint64
	for i, name := range []string{"from", "to"} {
		v := c.Query(name)
		if v == "" && name == "to" {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 63)
		if err != nil {
			return cordon.FieldErr(name, "api.tree_size_whole_number", name)
		}
		sizes[i] = n
	}
	p, err := h.svc.Audit.ProveConsistency(c.UserContext(), sizes[0], sizes[1])
	if err != nil {
		return err
	}
	return c.JSON(consistencyJSON{
		From: p.From, To: p.To, FromRoot: hex.EncodeToString(p.FromRoot[:]), ToRoot: hex.EncodeToString(p.ToRoot[:]),
		Hashes: hexes(p.Path), FromCheckpoint: toCheckpointJSON(p.FromCheckpoint), ToCheckpoint: toCheckpointJSON(p.ToCheckpoint),
	})
}

func (h *Handler) handleAuditExport(c *fiber.Ctx) error {
	var f cordon.AuditExport
	var err error
	if f.From, err = timeParam(c, "from"); err != nil {
		return err
	}
	if f.To, err = timeParam(c, "to"); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := h.svc.Audit.ExportBundle(c.UserContext(), f, &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="cordon-evidence.zip"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

type disclosureGroupJSON struct {
	OrgID      int64     `json:"org_id"`
	UserID     int64     `json:"user_id"`
	ContractNo string    `json:"contract_no"`
	Clause     string    `json:"clause"`
	Fields     []string  `json:"fields"`
	Decision   string    `json:"decision"`
	Count      int       `json:"count"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
}

// handleAccessDisclosures answers who saw a customer's identity, under
// which contract and clause.
func (h *Handler) handleAccessDisclosures(c *fiber.Ctx) error {
	f := cordon.DisclosureFilter{}
	n, err := strconv.ParseInt(c.Query("customer"), 10, 64)
	if err != nil || n <= 0 {
		return cordon.FieldErr("customer", "api.customer_numeric_id_customer")
	}
	f.CustomerID = n
	if f.From, err = timeParam(c, "from"); err != nil {
		return err
	}
	if f.To, err = timeParam(c, "to"); err != nil {
		return err
	}
	groups, err := h.svc.Audit.FindDisclosures(c.UserContext(), f)
	if err != nil {
		return err
	}
	items := make([]disclosureGroupJSON, len(groups))
	for i, g := range groups {
		fields := g.Fields
		if fields == nil {
			fields = []string{}
		}
		items[i] = disclosureGroupJSON{OrgID: g.OrgID, UserID: g.UserID, ContractNo: g.ContractNo, Clause: g.Clause,
			Fields: fields, Decision: string(g.Decision), Count: g.Count, First: g.First, Last: g.Last}
	}
	return c.JSON(fiber.Map{"customer_id": n, "items": items})
}

type denialCountJSON struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

type denialSpikeJSON struct {
	Start     time.Time `json:"start"`
	Count     int       `json:"count"`
	Median    float64   `json:"median"`
	Threshold int       `json:"threshold"`
}

type partnerDenialsJSON struct {
	OrgID   int64             `json:"org_id"`
	Total   int               `json:"total"`
	Spike   bool              `json:"spike"`
	Buckets []denialCountJSON `json:"buckets"`
	Spikes  []denialSpikeJSON `json:"spikes"`
}

type denialReportJSON struct {
	From     time.Time            `json:"from"`
	To       time.Time            `json:"to"`
	Bucket   string               `json:"bucket"`
	Rule     string               `json:"rule"`
	Partners []partnerDenialsJSON `json:"partners"`
}

func toDenialReportJSON(r *cordon.DenialReport) denialReportJSON {
	out := denialReportJSON{From: r.From, To: r.To, Bucket: r.Bucket, Rule: r.Rule, Partners: make([]partnerDenialsJSON, len(r.Partners))}
	for i, p := range r.Partners {
		pj := partnerDenialsJSON{OrgID: p.OrgID, Total: p.Total, Spike: p.Spike,
			Buckets: make([]denialCountJSON, len(p.Buckets)), Spikes: make([]denialSpikeJSON, len(p.Spikes))}
		for j, b := range p.Buckets {
			pj.Buckets[j] = denialCountJSON(b)
		}
		for j, s := range p.Spikes {
			pj.Spikes[j] = denialSpikeJSON(s)
		}
		out.Partners[i] = pj
	}
	return out
}

// handleAccessDenials answers denied attempts by partner, with spikes
// flagged.
func (h *Handler) handleAccessDenials(c *fiber.Ctx) error {
	var f cordon.DenialFilter
	for _, x := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		t, err := timeParam(c, x.name)
		if err != nil {
			return err
		}
		if t != nil {
			*x.dst = *t
		}
	}
	switch b := c.Query("bucket"); b {
	case "", cordon.BucketHour:
		f.Bucket = cordon.BucketHour
	case cordon.BucketDay:
		f.Bucket = cordon.BucketDay
	default:
		return cordon.FieldErr("bucket", "bucket_hour_day")
	}
	r, err := h.svc.Audit.DenialReport(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(toDenialReportJSON(r))
}
