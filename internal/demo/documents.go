package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// demoDoc is one technical document to generate. model "" means it covers
// the whole line; supersedes names the title+version it replaces.
type demoDoc struct {
	line, model    string
	class          cordon.Classification
	kind           string // pdf or png
	title, english string
	version        string
	pages          int
	supersedes     bool // replaces the document just before it
}

// demoDocs gives every product line a document of every classification,
// PDFs and PNG diagrams both, and one manual in two versions.
func demoDocs() []demoDoc {
	var docs []demoDoc
	for _, l := range demoLines {
		m1, m2 := l.models[0], l.models[1]
		if l.code == "power" {
			docs = append(docs,
				demoDoc{l.code, "", cordon.ClassPublic, "pdf", l.english + " 产品简介", l.english + " product brochure", "1.0", 1, false},
				demoDoc{l.code, m1.code, cordon.ClassInternal, "pdf", m1.code + " 安装指南", m1.code + " installation guide", "1.0", 2, false},
				demoDoc{l.code, m2.code, cordon.ClassRestricted, "pdf", m2.code + " 维修手册", m2.code + " maintenance manual", "1.0", 2, false},
				demoDoc{l.code, "", cordon.ClassConfidential, "png", l.english + " 主回路原理图", l.english + " main circuit schematic", "1.0", 0, false},
			)
			continue
		}
		docs = append(docs,
			demoDoc{l.code, "", cordon.ClassPublic, "pdf", l.english + " 产品简介", l.english + " product brochure", "1.0", 1, false},
			demoDoc{l.code, m1.code, cordon.ClassInternal, "pdf", m1.code + " 操作手册", m1.code + " operator manual", "1.0", 3, false},
			demoDoc{l.code, m1.code, cordon.ClassInternal, "pdf", m1.code + " 操作手册", m1.code + " operator manual", "1.1", 3, true},
			demoDoc{l.code, "", cordon.ClassInternal, "png", l.english + " 系统连接图", l.english + " system cabling diagram", "2.0", 0, false},
			demoDoc{l.code, m2.code, cordon.ClassRestricted, "pdf", m2.code + " 维修手册", m2.code + " maintenance manual", "2.0", 2, false},
			demoDoc{l.code, m1.code, cordon.ClassRestricted, "png", m1.code + " 故障隔离流程图", m1.code + " fault isolation flowchart", "1.2", 0, false},
			demoDoc{l.code, m2.code, cordon.ClassConfidential, "png", m2.code + " 设计原理图", m2.code + " design schematic", "3.1", 0, false},
			demoDoc{l.code, m1.code, cordon.ClassConfidential, "pdf", m1.code + " 故障模式与影响分析", m1.code + " FMEA report", "1.0", 2, false},
		)
	}
	return docs
}

func (sd *seeder) seedDocuments(ctx context.Context) error {
	engineer := sd.users["engineer"].ID
	var prev *cordon.Document
	for _, dd := range demoDocs() {
		d := &cordon.Document{
			Title:          fmt.Sprintf("%s / %s", dd.title, titleCase(dd.english)),
			ProductLineID:  sd.lines[dd.line].ID,
			Classification: dd.class, Version: dd.version, UploadedBy: engineer,
		}
		if dd.model != "" {
			for _, m := range sd.models {
				if m.Code == dd.model {
					d.ModelID = &m.ID
				}
			}
		}
		if dd.supersedes {
			d.PreviousID = &prev.ID
		}
		var content []byte
		switch dd.kind {
		case "pdf":
			d.MediaType = "application/pdf"
			content = writePDF(titleCase(dd.english), sd.now, documentPages(dd))
		case "png":
			d.MediaType = "image/png"
			content = drawDiagram(sd.rng, dd.class)
		}
		if err := sd.s.Documents.CreateDocument(ctx, d, content); err != nil {
			return err
		}
		prev = d
		sd.w.Documents++
	}
	return nil
}

// titleCase capitalises the first letter of each word.
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if w[0] >= 'a' && w[0] <= 'z' {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// documentPages lays out the text of a demo document: a title page with
// its particulars, then numbered sections.
func documentPages(dd demoDoc) []pdfPage {
	marking := strings.ToUpper(string(dd.class)) + " - DEMO DATA, NOT FOR SERVICE USE"
	line := lineOf(dd.line)
	subject := line.english + " product line"
	if dd.model != "" {
		subject = modelOf(dd.model).english
	}
	sections := []struct{ head, body string }{
		{"1 Scope", "This document describes the " + subject + " for service staff of the institute and of its contracted partners. It applies to units delivered from 2022 on."},
		{"2 Safety", "Switch off and lock out the mains supply before opening any cabinet. Transmitter stages hold high voltage for several minutes after power-off; discharge them with the grounding stick first. Wear an ESD strap when handling modules."},
		{"3 Preparation", "Check the unit serial and batch against the job. Bring the spares kit for the model, the calibrated multimeter and the laptop with the maintenance software. Confirm the site contact and the access window with the dispatcher."},
		{"4 Procedure", "Read the fault log from the built-in test panel. Isolate the faulty line replaceable unit with the fault isolation flowchart. Replace it, run the self test twice and record the readings in the service report."},
		{"5 Acceptance", "The unit passes when the self test reports no fault, the output parameters lie within the limits of the data sheet, and the customer signs off the service report."},
		{"6 Feedback", "Report every fault with its root cause. The quality department checks whether other units of the same batch share the cause and may open an inspection campaign."},
	}
	pages := make([]pdfPage, dd.pages)
	top := float64(pageHeight - margin)
	for i := range pages {
		p := &pages[i]
		p.texts = append(p.texts,
			pdfText{8, margin, pageHeight - 40, marking},
			pdfText{8, margin, 40, fmt.Sprintf("%s  v%s  -  page %d of %d", titleCase(dd.english), dd.version, i+1, dd.pages)},
		)
		p.rules = []float64{pageHeight - 46, 52}
		y := top
		if i == 0 {
			p.texts = append(p.texts, pdfText{20, margin, y, titleCase(dd.english)})
			y -= 30
			for _, kv := range [][2]string{
				{"Product line", line.english + " (" + line.code + ")"},
				{"Model", orDash(dd.model)},
				{"Classification", strings.ToUpper(string(dd.class))},
				{"Version", dd.version},
				{"Issued by", "Institute, design and process department"},
			} {
				p.texts = append(p.texts, pdfText{11, margin, y, kv[0] + ": " + kv[1]})
				y -= 16
			}
			y -= 14
		}
		// Spread the sections over the pages.
		per := (len(sections) + dd.pages - 1) / dd.pages
		for s := i * per; s < min((i+1)*per, len(sections)); s++ {
			p.texts = append(p.texts, pdfText{13, margin, y, sections[s].head})
			y -= 18
			for _, l := range wrap(sections[s].body, 88) {
				p.texts = append(p.texts, pdfText{10, margin, y, l})
				y -= 13
			}
			y -= 10
		}
	}
	return pages
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
