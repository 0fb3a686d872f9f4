package document

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
)

// The catalogue keys of the messages shown to users.
const (
	msgBadPDF     = "document.pdf_damaged"
	msgBadImage   = "document.image_damaged"
	msgCheckSlow  = "document.check_slow"
	msgStampSlow  = "document.stamp_slow"
	msgEncrypted  = "document.pdf_encrypted"
	msgNoPages    = "document.pdf_no_pages"
	msgWrongType  = "document.content_mismatch"
	msgNotAllowed = "document.type_not_allowed"
)

// Check reports whether content, said to be mediaType, is a well-formed file
// within limits, and returns its page count (PDF) or dimensions (images).
//
// Images: the header alone (image.DecodeConfig) is checked against
// MaxSide and MaxPixels before a single pixel is decoded, so a decompression
// bomb costs nothing; then the image is decoded once to prove it is whole.
// PDFs: pdfcpu reads the file, the page count is held to MaxPages, and the
// whole object graph is validated. Encrypted PDFs are refused: they could
// not be watermarked on download.
//
// Errors: ETOOLARGE for too many bytes, pages or pixels; EINVALID for any
// other file that is not a whole PDF, PNG or JPEG of the type given;
// EUNAVAILABLE when the check outlives ctx or limits.Timeout. Check never
// panics: a parser that does counts as a malformed file.
func Check(ctx context.Context, content []byte, mediaType string, limits Limits) (Info, error) {
	limits = limits.orDefault()
	if err := preflight(content, mediaType, limits); err != nil {
		return Info{}, err
	}
	if mediaType == PDF {
		return run(ctx, limits.Timeout, "check pdf", msgCheckSlow, msgBadPDF, func() (Info, error) {
			pc, err := readPDF(content, limits, false)
			if err != nil {
				return Info{}, err
			}
			return Info{MediaType: PDF, Size: int64(len(content)), Pages: pc.PageCount}, nil
		})
	}
	return run(ctx, limits.Timeout, "check image", msgCheckSlow, msgBadImage, func() (Info, error) {
		img, err := decodeImage(content, mediaType, limits)
		if err != nil {
			return Info{}, err
		}
		b := img.Bounds()
		return Info{MediaType: mediaType, Size: int64(len(content)), Width: b.Dx(), Height: b.Dy()}, nil
	})
}

// preflight does the checks that cost nothing: size, and that the content
// is of the media type claimed.
func preflight(content []byte, mediaType string, limits Limits) error {
	if int64(len(content)) > limits.MaxBytes {
		return tooLarge("check size", "document.file_larger_than", sizeString(limits.MaxBytes))
	}
	return sameType(content, mediaType)
}

// imageConfig reads only the header of an image and holds its dimensions
// to limits. Nothing is decoded.
func imageConfig(content []byte, mediaType string, limits Limits) (image.Config, error) {
	var (
		cfg image.Config
		err error
	)
	switch mediaType {
	case PNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(content))
	case JPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(content))
	default:
		return cfg, errNotAccepted(nil)
	}
	if err != nil {
		return cfg, invalid("image header", err, msgBadImage)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cfg, invalid("image header", nil, msgBadImage)
	}
	if cfg.Width > limits.MaxSide || cfg.Height > limits.MaxSide {
		return cfg, tooLarge("image header", "document.image_side_too_large",
			cfg.Width, cfg.Height, limits.MaxSide)
	}
	if int64(cfg.Width)*int64(cfg.Height) > limits.MaxPixels {
		return cfg, tooLarge("image header", "document.image_too_many_pixels",
			cfg.Width, cfg.Height, pixelsString(limits.MaxPixels))
	}
	return cfg, nil
}

// decodeImage checks the header against limits, then decodes the image.
func decodeImage(content []byte, mediaType string, limits Limits) (image.Image, error) {
	cfg, err := imageConfig(content, mediaType, limits)
	if err != nil {
		return nil, err
	}
	var img image.Image
	if mediaType == PNG {
		img, err = png.Decode(bytes.NewReader(content))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(content))
	}
	if err != nil {
		return nil, invalid("decode image", err, msgBadImage)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, invalid("decode image", nil, msgBadImage)
	}
	return img, nil
}
