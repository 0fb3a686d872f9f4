package document

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Colours of the image mark: a faint light halo under a dark red line, so
// the mark reads on light and dark pictures alike without hiding them.
var (
	markHalo = color.NRGBA{R: 255, G: 255, B: 255, A: 70}
	markInk  = color.NRGBA{R: 170, G: 0, B: 0, A: 110}
)

// jpegQuality is the quality a stamped JPEG is written with.
const jpegQuality = 90

// stampImage decodes content (after the header check), draws m's line tiled
// across it, and encodes it again in the same format with the download id
// in its metadata.
func stampImage(content []byte, mediaType string, m Mark, limits Limits) ([]byte, error) {
	img, err := decodeImage(content, mediaType, limits)
	if err != nil {
		return nil, err
	}
	dst := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min, draw.Src)
	drawMark(dst, m.Line())

	var out bytes.Buffer
	if mediaType == PNG {
		if err := png.Encode(&out, dst); err != nil {
			return nil, err
		}
		return withPNGText(out.Bytes(), downloadIDKey, m.DownloadID)
	}
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, err
	}
	return withJPEGComment(out.Bytes(), downloadIDKey+"="+m.DownloadID)
}

// drawMark tiles text across dst in staggered rows. The line is rendered
// once with the 7×13 bitmap font, scaled by a whole factor so that it spans
// about half the image width (pixel-crisp at any size), and drawn as a mask.
func drawMark(dst *image.RGBA, text string) {
	face := basicfont.Face7x13
	w := font.MeasureString(face, text).Ceil() + 2
	h := face.Metrics().Height.Ceil() + 2
	line := image.NewAlpha(image.Rect(0, 0, w, h))
	d := font.Drawer{Dst: line, Src: image.Opaque, Face: face, Dot: fixed.P(1, 1+face.Metrics().Ascent.Ceil())}
	d.DrawString(text)

	b := dst.Bounds()
	k := max(1, b.Dx()/(2*w))
	mask := line
	if k > 1 {
		mask = image.NewAlpha(image.Rect(0, 0, w*k, h*k))
		xdraw.NearestNeighbor.Scale(mask, mask.Bounds(), line, line.Bounds(), xdraw.Src, nil)
	}
	mw, mh := mask.Bounds().Dx(), mask.Bounds().Dy()
	stepX := mw + mw/4
	stepY := 3 * mh
	halo := image.NewUniform(markHalo)
	ink := image.NewUniform(markInk)
	for row, y := 0, b.Min.Y+mh/2; y < b.Max.Y; row, y = row+1, y+stepY {
		x0 := b.Min.X - (row%2)*stepX/2
		for x := x0; x < b.Max.X; x += stepX {
			r := image.Rect(x, y, x+mw, y+mh)
			draw.DrawMask(dst, r.Add(image.Pt(k, k)), halo, image.Point{}, mask, image.Point{}, draw.Over)
			draw.DrawMask(dst, r, ink, image.Point{}, mask, image.Point{}, draw.Over)
		}
	}
}

// withPNGText inserts a tEXt chunk keyword=value right after the IHDR chunk
// of an encoded PNG.
func withPNGText(p []byte, keyword, value string) ([]byte, error) {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	if len(p) < ihdrEnd || string(p[12:16]) != "IHDR" {
		return nil, errors.New("png: unexpected encoder output")
	}
	data := append([]byte(keyword+"\x00"), value...)
	chunk := make([]byte, 0, 12+len(data))
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := make([]byte, 0, len(p)+len(chunk))
	out = append(out, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...), nil
}

// readPNGMark walks the chunks of a PNG for our tEXt chunk.
func readPNGMark(p []byte) (string, error) {
	p = p[len(pngMagic):]
	for len(p) >= 12 {
		n := binary.BigEndian.Uint32(p[:4])
		if uint64(n) > uint64(len(p)-12) {
			break
		}
		typ, data := string(p[4:8]), p[8:8+n]
		if typ == "tEXt" {
			if k, v, ok := bytes.Cut(data, []byte{0}); ok && string(k) == downloadIDKey && len(v) > 0 {
				return string(v), nil
			}
		}
		if typ == "IEND" {
			break
		}
		p = p[12+n:]
	}
	return "", errNoMark()
}

// withJPEGComment inserts a COM segment right after the SOI marker of an
// encoded JPEG.
func withJPEGComment(j []byte, comment string) ([]byte, error) {
	if len(j) < 2 || j[0] != 0xFF || j[1] != 0xD8 {
		return nil, errors.New("jpeg: unexpected encoder output")
	}
	if len(comment) > 0xFFFF-2 {
		return nil, errors.New("jpeg: comment too long")
	}
	seg := []byte{0xFF, 0xFE}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(comment)+2))
	seg = append(seg, comment...)
	out := make([]byte, 0, len(j)+len(seg))
	out = append(out, j[:2]...)
	out = append(out, seg...)
	return append(out, j[2:]...), nil
}

// readJPEGMark walks the marker segments of a JPEG, up to the start of the
// scan, for our comment.
func readJPEGMark(j []byte) (string, error) {
	prefix := []byte(downloadIDKey + "=")
	i := 2
	for i+4 <= len(j) {
		if j[i] != 0xFF {
			break
		}
		marker := j[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xD9 || marker == 0xDA { // end of image, start of scan
			break
		}
		if marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) { // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(j[i+2 : i+4]))
		if n < 2 || i+2+n > len(j) {
			break
		}
		if marker == 0xFE {
			if v, ok := bytes.CutPrefix(j[i+4:i+2+n], prefix); ok && len(v) > 0 {
				return string(v), nil
			}
		}
		i += 2 + n
	}
	return "", errNoMark()
}
