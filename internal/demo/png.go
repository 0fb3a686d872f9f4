package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"

	"github.com/cordon/cordon/internal/cordon"
)

// Diagram size in pixels.
const (
	diagramWidth  = 200
	diagramHeight = 120
)

// bandColor marks a diagram's classification, as a coloured title band.
var bandColor = map[cordon.Classification]color.NRGBA{
	cordon.ClassPublic:       {0x2e, 0x7d, 0x32, 0xff},
	cordon.ClassInternal:     {0x15, 0x65, 0xc0, 0xff},
	cordon.ClassRestricted:   {0xef, 0x6c, 0x00, 0xff},
	cordon.ClassConfidential: {0xc6, 0x28, 0x28, 0xff},
}

// drawDiagram renders a block diagram as a PNG: a title band in the colour
// of the classification, a light grid, and boxes joined by orthogonal
// connectors, laid out by rng.
func drawDiagram(rng *rand.Rand, class cordon.Classification) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, diagramWidth, diagramHeight))
	fill(img, img.Bounds(), color.NRGBA{0xff, 0xff, 0xff, 0xff})
	grid := color.NRGBA{0xe3, 0xe8, 0xef, 0xff}
	for x := 0; x < diagramWidth; x += 10 {
		fill(img, image.Rect(x, 0, x+1, diagramHeight), grid)
	}
	for y := 0; y < diagramHeight; y += 10 {
		fill(img, image.Rect(0, y, diagramWidth, y+1), grid)
	}
	fill(img, image.Rect(0, 0, diagramWidth, 14), bandColor[class])

	ink := color.NRGBA{0x26, 0x32, 0x38, 0xff}
	boxFill := color.NRGBA{0xec, 0xef, 0xf1, 0xff}
	// Two rows of two or three boxes; connectors run along each row and
	// down from the first row to the second.
	var boxes [2][]image.Rectangle
	for row := range boxes {
		n := 2 + rng.IntN(2)
		slot := (diagramWidth - 20) / n
		for i := 0; i < n; i++ {
			w, h := 26+rng.IntN(slot-34), 18+rng.IntN(10)
			x := 10 + i*slot + rng.IntN(slot-w-4)
			y := 24 + row*48 + rng.IntN(12)
			boxes[row] = append(boxes[row], image.Rect(x, y, x+w, y+h))
		}
	}
	for row := range boxes {
		for i := 1; i < len(boxes[row]); i++ {
			a, b := boxes[row][i-1], boxes[row][i]
			connect(img, image.Pt(a.Max.X, (a.Min.Y+a.Max.Y)/2), image.Pt(b.Min.X, (b.Min.Y+b.Max.Y)/2), true, ink)
		}
	}
	for i, top := range boxes[0] {
		bottom := boxes[1][min(i, len(boxes[1])-1)]
		connect(img, image.Pt((top.Min.X+top.Max.X)/2, top.Max.Y), image.Pt((bottom.Min.X+bottom.Max.X)/2, bottom.Min.Y), false, ink)
	}
	for _, row := range boxes {
		for _, r := range row {
			fill(img, r, ink)
			fill(img, r.Inset(1), boxFill)
			// A few "text" strokes inside the box.
			for y := r.Min.Y + 5; y < r.Max.Y-3; y += 4 {
				fill(img, image.Rect(r.Min.X+4, y, r.Min.X+4+rng.IntN(r.Dx()-8)+1, y+1), bandColor[class])
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return buf.Bytes()
}

func fill(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
}

// connect draws an orthogonal connector from a to b. Across first: along
// the row to the middle, then up or down, then on to b. Otherwise down
// first: to the middle height, across, then down to b.
func connect(img *image.NRGBA, a, b image.Point, acrossFirst bool, c color.NRGBA) {
	line := func(p, q image.Point) {
		fill(img, image.Rect(min(p.X, q.X), min(p.Y, q.Y), max(p.X, q.X)+1, max(p.Y, q.Y)+1), c)
	}
	if acrossFirst {
		mid := (a.X + b.X) / 2
		line(a, image.Pt(mid, a.Y))
		line(image.Pt(mid, a.Y), image.Pt(mid, b.Y))
		line(image.Pt(mid, b.Y), b)
		return
	}
	mid := (a.Y + b.Y) / 2
	line(a, image.Pt(a.X, mid))
	line(image.Pt(a.X, mid), image.Pt(b.X, mid))
	line(image.Pt(b.X, mid), b)
}

// drawSignature renders a signature as the job page's pad sends it: dark
// strokes on white, a few loops along a line, laid out by rng.
func drawSignature(rng *rand.Rand) []byte {
	const w, h = 320, 120
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Bounds(), color.NRGBA{0xff, 0xff, 0xff, 0xff})
	ink := color.NRGBA{0x11, 0x11, 0x11, 0xff}
	loops := 3 + rng.IntN(3)
	phase := rng.Float64() * math.Pi
	for x := 20; x < w-20; x++ {
		t := float64(x-20) / float64(w-40)
		y := float64(h)/2 + 28*math.Sin(t*float64(loops)*2*math.Pi+phase)*(1-t/2)
		fill(img, image.Rect(x, int(y)-1, x+2, int(y)+2), ink)
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}
