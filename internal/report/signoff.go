package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"

	"github.com/cordon/cordon/internal/cordon"
)

// pngMagic opens every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// SignOff records the customer's acceptance of the work: on resolution the
// technician hands over the phone and the customer's representative signs
// with a finger (a drawn PNG), or, where no touch screen is at hand, the
// technician types the representative's name (marked as typed). The
// image's SHA-256 goes into the job's timeline in the same transaction, so
// the sign-off can be checked against it later.
func (s *Service) SignOff(ctx context.Context, jobID int64, in cordon.SignOffInput) (*cordon.SignOff, error) {
	a, j, err := s.work(ctx, jobID)
	if err != nil {
		return nil, err
	}
	name, err := cordon.Text("signer_name", in.SignerName, cordon.MaxSignerName, true)
	if err != nil {
		return nil, err
	}
	position, err := cordon.Text("signer_position", in.SignerPosition, cordon.MaxSignerPosition, false)
	if err != nil {
		return nil, err
	}
	switch in.Method {
	case cordon.SignDrawn:
		if err := checkSignature(in.Image); err != nil {
			return nil, err
		}
	case cordon.SignTyped:
		if len(in.Image) > 0 {
			return nil, cordon.FieldErr("signature", "report.typed_sign_off_has_no_image")
		}
	default:
		return nil, cordon.FieldErr("method", "report.sign_off_method")
	}
	now := s.cfg.Now()
	so := &cordon.SignOff{JobID: j.ID, Method: in.Method, SignerName: name, SignerPosition: position, SignedAt: now, RecordedBy: a.UserID}
	uid := a.UserID
	ev := &cordon.JobEvent{At: now, ActorID: &uid, From: j.Status, To: j.Status}
	if in.Method == cordon.SignDrawn {
		sum := sha256.Sum256(in.Image)
		ev.SetNote("note.signed_off_drawn", hex.EncodeToString(sum[:]))
	} else {
		ev.SetNote("note.signed_off_typed")
	}
	if err := s.cfg.Reports.CreateSignOff(ctx, so, in.Image, ev); err != nil {
		return nil, err
	}
	return so, nil
}

// checkSignature accepts a PNG of at most MaxSignatureBytes and
// MaxSignaturePixels a side that has something drawn on it.
func checkSignature(b []byte) error {
	switch {
	case len(b) == 0:
		return cordon.FieldErr("signature", "report.signature_required")
	case len(b) > cordon.MaxSignatureBytes:
		return cordon.Err(cordon.ETOOLARGE, "report.signature_too_large", cordon.MaxSignatureBytes>>10)
	case !bytes.HasPrefix(b, pngMagic):
		return cordon.FieldErr("signature", "report.signature_not_png")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return cordon.FieldErr("signature", "report.signature_not_png")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > cordon.MaxSignaturePixels || cfg.Height > cordon.MaxSignaturePixels {
		return cordon.FieldErr("signature", "report.signature_size", cordon.MaxSignaturePixels)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return cordon.FieldErr("signature", "report.signature_not_png")
	}
	if blank(img) {
		return cordon.FieldErr("signature", "report.signature_blank")
	}
	return nil
}

// blank reports whether an image is one colour throughout: an empty
// canvas, transparent or white.
func blank(img image.Image) bool {
	r := img.Bounds()
	r0, g0, b0, a0 := img.At(r.Min.X, r.Min.Y).RGBA()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if r1, g1, b1, a1 := img.At(x, y).RGBA(); r1 != r0 || g1 != g0 || b1 != b0 || a1 != a0 {
				return false
			}
		}
	}
	return true
}

// JobSignOff returns the job's latest sign-off, checked: the SHA-256 the
// timeline recorded when it was signed, and whether the stored image still
// hashes to it. The read is an access event.
func (s *Service) JobSignOff(ctx context.Context, jobID int64) (*cordon.SignOffCheck, error) {
	a, j, dec, err := s.read(ctx, jobID)
	if err != nil {
		return nil, err
	}
	so, err := s.latest(ctx, j.ID)
	if err != nil || so == nil {
		return nil, err
	}
	if err := s.record(ctx, a, j, dec, resSignOff, so.ID, cordon.ActView, so.SHA256); err != nil {
		return nil, err
	}
	out := &cordon.SignOffCheck{SignOff: so}
	if so.Method != cordon.SignDrawn {
		out.Intact = true
		return out, nil
	}
	if out.TimelineSHA256, err = s.timelineSum(ctx, so); err != nil {
		return nil, err
	}
	content, err := s.cfg.Reports.FindBlob(ctx, so.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign-off %d image: %w", so.ID, err)
	}
	sum := sha256.Sum256(content)
	got := hex.EncodeToString(sum[:])
	out.Intact = got == so.SHA256 && got == out.TimelineSHA256
	return out, nil
}

// timelineSum finds the SHA-256 the job's timeline recorded for its latest
// drawn sign-off: each sign-off writes one timeline event in the same
// transaction, so the latest drawn-signature event is this sign-off's.
func (s *Service) timelineSum(ctx context.Context, so *cordon.SignOff) (string, error) {
	events, err := s.cfg.Jobs.FindJobEvents(ctx, so.JobID)
	if err != nil {
		return "", fmt.Errorf("timeline of job %d: %w", so.JobID, err)
	}
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.NoteKey == "note.signed_off_drawn" && len(e.NoteArgs) == 1 {
			return e.NoteArgs[0], nil
		}
	}
	return "", nil
}

// SignatureImage returns the latest drawn signature, the download recorded.
func (s *Service) SignatureImage(ctx context.Context, jobID int64) (*cordon.SignOff, []byte, error) {
	a, j, dec, err := s.read(ctx, jobID)
	if err != nil {
		return nil, nil, err
	}
	so, err := s.latest(ctx, j.ID)
	if err != nil {
		return nil, nil, err
	}
	if so == nil || so.Method != cordon.SignDrawn {
		return nil, nil, cordon.ErrNotFound("Signature")
	}
	content, err := s.cfg.Reports.FindBlob(ctx, so.SHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("sign-off %d image: %w", so.ID, err)
	}
	if err := s.record(ctx, a, j, dec, resSignOff, so.ID, cordon.ActDownload, so.SHA256); err != nil {
		return nil, nil, err
	}
	return so, content, nil
}

// latest is the job's newest sign-off, or nil.
func (s *Service) latest(ctx context.Context, jobID int64) (*cordon.SignOff, error) {
	all, err := s.cfg.Reports.FindSignOffs(ctx, jobID)
	if err != nil {
		return nil, fmt.Errorf("sign-offs of job %d: %w", jobID, err)
	}
	if len(all) == 0 {
		return nil, nil
	}
	return all[0], nil
}
