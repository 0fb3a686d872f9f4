package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/sheet"
)

// TestUnitsImport: an institute user imports a spreadsheet of 20 units
// for 2 customers: the dry run shows what would change and writes
// nothing, the import writes it all, a second import changes nothing; a
// bad file and a partner user import nothing.
func TestUnitsImport(t *testing.T) {
	eachCLI(t, func(t *testing.T, c *cli) {
		c.env["CORDON_DEMO_PASSWORD"] = demoPassword
		for _, args := range [][]string{{"migrate"}, {"seed", "--demo"}} {
			if out, err := c.run("", args...); err != nil {
				t.Fatalf("%v: %v: %s", args, err, out)
			}
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "units.xlsx")
		writeUnits(t, file, 20)

		out, err := c.run("", "units", "import", "--dry-run", "--as", "dispatcher", file)
		if err != nil || !strings.Contains(out, "would import 20 rows") || !strings.Contains(out, "customers 2 created") ||
			!strings.Contains(out, "units 20 created") || !strings.Contains(out, "row 2: create unit RD-200 CLI-SN-000") {
			t.Fatalf("import --dry-run: %v: %s", err, out)
		}
		if out := customers(t, c); strings.Contains(out, "CLI-") {
			t.Fatalf("the dry run wrote customers:\n%s", out)
		}

		out, err = c.run("", "units", "import", "--as", "dispatcher", file)
		if err != nil || !strings.Contains(out, "Imported 20 rows") || !strings.Contains(out, "units 20 created") {
			t.Fatalf("import: %v: %s", err, out)
		}
		if out := customers(t, c); strings.Count(out, "CLI-") != 2 || !strings.Contains(out, "测试客户1") {
			t.Errorf("customers after the import:\n%s", out)
		}
		out, err = c.run("", "units", "import", "--as", "dispatcher", file)
		if err != nil || !strings.Contains(out, "20 unchanged") {
			t.Errorf("import again: %v: %s", err, out)
		}

		// Export, then read what was written: the imported serials are there.
		export := filepath.Join(dir, "export.csv")
		out, err = c.run("", "units", "export", "--lang", "en", "--as", "quality", export)
		if err != nil || !strings.Contains(out, "Exported") {
			t.Fatalf("export: %v: %s", err, out)
		}
		b, err := os.ReadFile(export)
		if err != nil {
			t.Fatal(err)
		}
		s, ps, err := sheet.Read(bytes.NewReader(b), "export.csv")
		if err != nil || ps != nil {
			t.Fatalf("read the export: %v %v", err, ps)
		}
		found := 0
		for _, r := range s.Rows {
			if strings.HasPrefix(r.Cells["serial"], "CLI-SN-") {
				found++
			}
		}
		if found != 20 {
			t.Errorf("the export has %d of the 20 imported units", found)
		}

		// A formula and an unknown model: each problem where it is, and
		// nothing imported.
		bad := filepath.Join(dir, "bad.csv")
		csv := "客户编号,客户城市,客户名称,型号,序列号,批次,交付日期,保修截止\n" +
			"CLI-9,北京,坏客户,RD-200,CLI-BAD-1,B1,2025-03-01,2027-03-01\n" +
			"CLI-9,北京,坏客户,RD-200,=1+1,B1,2025-03-01,2027-03-01\n"
		if err := os.WriteFile(bad, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err = c.run("", "units", "import", "--as", "dispatcher", bad)
		if err == nil || !strings.Contains(out, "bad.csv!E3: A formula is not allowed") {
			t.Errorf("import of a formula: %v: %s", err, out)
		}
		if err := os.WriteFile(bad, []byte(strings.Replace(csv, "=1+1", "CLI-BAD-2", 1)+
			"CLI-9,北京,坏客户,XX-1,CLI-BAD-3,B1,2025-03-01,2027-03-01\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err = c.run("", "units", "import", "--as", "dispatcher", bad)
		if err == nil || !strings.Contains(out, "bad.csv!D4: ") {
			t.Errorf("import of an unknown model: %v: %s", err, out)
		}
		if out := customers(t, c); strings.Contains(out, "CLI-9") {
			t.Errorf("a bad file imported a customer:\n%s", out)
		}

		for _, as := range []string{"hefei.admin", "admin", "nobody"} { // a partner; no unit create; unknown
			if out, err := c.run("", "units", "import", "--dry-run", "--as", as, file); err == nil {
				t.Errorf("import as %s succeeded: %s", as, out)
			}
		}
	})
}

// customers lists the customers as the dispatcher.
func customers(t *testing.T, c *cli) string {
	t.Helper()
	out, err := c.run("", "customers", "list", "--as", "dispatcher", "--q", "CLI-")
	if err != nil {
		t.Fatalf("customers list: %v: %s", err, out)
	}
	return out
}

// writeUnits writes a workbook of n units of the demo's models, half for
// each of two customers, with Chinese headers.
func writeUnits(t *testing.T, file string, n int) {
	t.Helper()
	rows := make([]cordon.SheetRow, n)
	for i := range rows {
		c := i % 2
		rows[i] = cordon.SheetRow{Cells: map[string]string{
			"customer_code": fmt.Sprintf("CLI-%d", c+1), "customer_city": "北京", "name": fmt.Sprintf("测试客户%d", c+1),
			"unit_designation": fmt.Sprintf("6100%d", c+1), "contact_person": "张三", "phone": "010-6200000" + fmt.Sprint(c),
			"site_address": "北京市海淀区", "model": []string{"RD-200", "CM-10"}[i%2], "serial": fmt.Sprintf("CLI-SN-%03d", i),
			"batch": "2025-03", "delivered_on": "2025-03-01", "warranty_end": "2027-03-01", "follow_up_months": "6",
		}}
	}
	var b bytes.Buffer
	if err := sheet.Write(&b, sheet.FormatXLSX, cordon.LangZH, rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCustomersCLI: the operator registers, changes, deactivates and
// reactivates a customer at the command line, under the same rules as
// the API.
func TestCustomersCLI(t *testing.T) {
	eachCLI(t, func(t *testing.T, c *cli) {
		c.env["CORDON_DEMO_PASSWORD"] = demoPassword
		for _, args := range [][]string{{"migrate"}, {"seed", "--demo"}} {
			if out, err := c.run("", args...); err != nil {
				t.Fatalf("%v: %v: %s", args, err, out)
			}
		}
		steps := []struct {
			args []string
			ok   bool
			want string
		}{
			{[]string{"customers", "create", "--as", "dispatcher", "--code", "CLI-C9", "--city", "Hefei", "--name", "某部队", "--phone", "0551-62345678"}, true, "CLI-C9 (Hefei): active"},
			{[]string{"customers", "create", "--as", "dispatcher", "--code", "CLI-C9", "--city", "Hefei", "--name", "again"}, false, ""},
			{[]string{"customers", "create", "--as", "dispatcher", "--code", "CLI-C8", "--city", "Hefei"}, false, "name"},
			{[]string{"customers", "update", "--as", "dispatcher", "--code", "CLI-C9", "--city", "Wuhu"}, true, "CLI-C9 (Wuhu): active"},
			{[]string{"customers", "update", "--as", "dispatcher", "--code", "CLI-C9", "--phone", "12"}, false, "phone"},
			{[]string{"customers", "deactivate", "--as", "dispatcher", "--code", "CLI-C9"}, false, ""}, // dispatch may not manage
			{[]string{"customers", "deactivate", "--as", "quality", "--code", "CLI-C9"}, true, "deactivated"},
			{[]string{"customers", "reactivate", "--as", "quality", "--code", "CLI-C9"}, true, "active"},
			{[]string{"customers", "update", "--as", "hefei.admin", "--code", "CLI-C9", "--city", "X"}, false, "institute"},
			{[]string{"customers", "update", "--as", "quality", "--code", "NOBODY", "--city", "X"}, false, "not found"},
		}
		for _, s := range steps {
			out, err := c.run("", s.args...)
			if (err == nil) != s.ok || !strings.Contains(out+fmt.Sprint(err), s.want) {
				t.Errorf("%v: %v: %s; want ok=%v and %q", s.args, err, out, s.ok, s.want)
			}
		}
		if out := customers(t, c); !strings.Contains(out, "CLI-C9") || !strings.Contains(out, "Wuhu") {
			t.Errorf("customers after the changes:\n%s", out)
		}
	})
}
