package webui

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// TestCatalogues: both languages have the same keys, every key a template
// or the code names exists, and every status, category, classification and
// role has a name.
func TestCatalogues(t *testing.T) {
	for k := range catalogue[langZH] {
		if _, ok := catalogue[langEN][k]; !ok {
			t.Errorf("%q is in zh-CN but not in en", k)
		}
	}
	for k := range catalogue[langEN] {
		if _, ok := catalogue[langZH][k]; !ok {
			t.Errorf("%q is in en but not in zh-CN", k)
		}
	}
	used := regexp.MustCompile(`\.T "([a-z_.]+)"|T\("([a-z_.]+)"|"(nav\.[a-z]+)"`)
	files, _ := filepath.Glob("../../web/templates/*.html")
	code, _ := filepath.Glob("*.go")
	if len(files) < 5 {
		t.Fatalf("found %d templates", len(files))
	}
	for _, f := range append(files, code...) {
		if filepath.Ext(f) == ".go" && filepath.Base(f) == "i18n.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2] + m[3]
			if _, ok := catalogue[langZH][key]; !ok {
				t.Errorf("%s names %q, which the catalogue lacks", f, key)
			}
		}
	}
	var names []string
	for _, s := range cordon.JobStatuses {
		names = append(names, "status."+string(s))
	}
	for _, c := range cordon.Categories {
		names = append(names, "category."+string(c))
	}
	for _, c := range cordon.Classifications {
		names = append(names, "class."+string(c))
	}
	for _, r := range append(append([]cordon.Role{}, cordon.InstituteRoles...), cordon.PartnerRoles...) {
		names = append(names, "role."+string(r))
	}
	for _, k := range names {
		if _, ok := catalogue[langZH][k]; !ok {
			t.Errorf("no name for %q", k)
		}
	}
}

// TestDates: dates are in China Standard Time and in the language's form.
func TestDates(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 5, 0, 0, time.UTC)
	for _, tc := range []struct{ lang, date, day string }{
		{langZH, "2026年11月2日 17:05", "2026年11月2日"},
		{langEN, "2 Nov 2026, 17:05", "2 Nov 2026"},
	} {
		l := Locale{Lang: tc.lang, now: at.Add(-90 * time.Minute)}
		if got := l.Date(at); got != tc.date {
			t.Errorf("%s Date = %q, want %q", tc.lang, got, tc.date)
		}
		if got := l.Day(&at); got != tc.day {
			t.Errorf("%s Day = %q, want %q", tc.lang, got, tc.day)
		}
		if got := l.Date((*time.Time)(nil)); got != "—" {
			t.Errorf("%s Date(nil) = %q", tc.lang, got)
		}
	}
	l := Locale{Lang: langEN, now: at.Add(-90 * time.Minute)}
	if got, want := l.Left(at), "1 h 30 min left"; got != want {
		t.Errorf("Left = %q, want %q", got, want)
	}
	if got, want := (Locale{Lang: langZH, now: at.Add(time.Second)}).Left(at), "已超时"; got != want {
		t.Errorf("Left after the deadline = %q, want %q", got, want)
	}
}

func TestLocalPath(t *testing.T) {
	for s, want := range map[string]bool{"/jobs": true, "/jobs?status=offered": true, "": false, "//evil.example": false,
		"https://evil.example/": false, "/\\evil.example": false, "jobs": false} {
		if got := localPath(s); got != want {
			t.Errorf("localPath(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestInstalledBaseNames: every milestone, history kind, request status,
// spreadsheet column, import record and change has a name in both
// languages, and every page refusal (fieldErr) a text.
func TestInstalledBaseNames(t *testing.T) {
	var keys []string
	for _, k := range cordon.MilestoneKinds {
		keys = append(keys, "milestone."+string(k))
	}
	for _, k := range []cordon.HistoryKind{cordon.HistoryRequest, cordon.HistoryJob, cordon.HistoryReport, cordon.HistoryRootCause,
		cordon.HistoryCampaign, cordon.HistoryVisit, cordon.HistoryMilestone, cordon.HistoryTransfer, cordon.HistoryRetired} {
		keys = append(keys, "history."+string(k))
	}
	for _, s := range []cordon.RequestStatus{cordon.RequestOpen, cordon.RequestDispatched, cordon.RequestClosed, cordon.RequestCancelled} {
		keys = append(keys, "reqstatus."+string(s))
	}
	for _, f := range cordon.UnitSheetFields {
		keys = append(keys, "sheetcol."+f)
	}
	keys = append(keys, "import.kind.customer", "import.kind.unit", "import.action.create", "import.action.update")
	refusal := regexp.MustCompile(`fieldErr\([^,]+, "([a-z_.]+)"`)
	code, _ := filepath.Glob("*.go")
	for _, f := range code {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range refusal.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	for _, k := range keys {
		for _, lang := range []string{langZH, langEN} {
			if _, ok := catalogue[lang][k]; !ok {
				t.Errorf("no %s text for %q", lang, k)
			}
		}
	}
}
