package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/authz"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/sheet"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/policies"
)

// runUnits imports and exports the installed base's spreadsheet, acting
// as an institute user under the same rules as the API's import and
// export.
func runUnits(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return usageError{"units needs import or export, then the file"}
	}
	sub := args[0]
	var as, format, lang string
	var dryRun bool
	c, fs, err := loadConfig("units "+sub, args[1:], getenv, func(fs *flag.FlagSet, _ *config) {
		fs.StringVar(&as, "as", "", "the institute user to act as")
		if sub == "import" {
			fs.BoolVar(&dryRun, "dry-run", false, "check the file and show what would change; write nothing")
		} else {
			fs.StringVar(&format, "format", "", "xlsx or csv (default: the file's extension, else xlsx)")
			fs.StringVar(&lang, "lang", cordon.LangZH, "headers in zh-CN or en")
		}
	})
	if err != nil {
		return err
	}
	if as == "" || fs.NArg() != 1 {
		return usageError{"units " + sub + " needs --as USERNAME and one file"}
	}
	file := fs.Arg(0)
	if sub == "export" {
		if format == "" {
			format = sheet.FormatXLSX
			if strings.EqualFold(filepath.Ext(file), ".csv") {
				format = sheet.FormatCSV
			}
		}
		if format != sheet.FormatXLSX && format != sheet.FormatCSV {
			return usageError{"--format is xlsx or csv"}
		}
		if lang != cordon.LangZH && lang != cordon.LangEN {
			return usageError{"--lang is zh-CN or en"}
		}
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	res, act := cordon.ResUnit, cordon.ActCreate
	if sub == "export" {
		act = cordon.ActExport
	}
	ctx, actor, err := actAs(ctx, db, as, res, act)
	if err != nil {
		return err
	}
	svc := app.NewInstalledBase(db, time.Now)
	if sub == "import" {
		return importUnits(ctx, db, actor, svc, file, dryRun, stdout)
	}
	return exportUnits(ctx, db, actor, svc, file, format, lang, stdout)
}

// importUnits reads the file and imports it whole, or reports every
// problem and imports nothing.
func importUnits(ctx context.Context, db *store.DB, actor *cordon.Actor, svc cordon.InstalledBaseService, file string, dryRun bool, stdout io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var res *cordon.ImportResult
	err = db.InScope(ctx, actor, func(ctx context.Context) error {
		res, err = svc.ImportFile(ctx, f, filepath.Base(file), dryRun)
		return err
	})
	if err != nil {
		return fmt.Errorf("import %s: %s", file, cordon.ErrorMessage(err))
	}
	for _, p := range res.Problems {
		fmt.Fprintf(stdout, "%s: %s\n", problemPlace(p), p.Err.Message)
	}
	if n := len(res.Problems); n > 0 {
		more := ""
		if res.ProblemsTruncated {
			more = " (the first shown)"
		}
		return fmt.Errorf("%s: %d problems%s; nothing imported", file, n, more)
	}
	for _, ch := range res.Changes {
		fields := ""
		if len(ch.Fields) > 0 {
			fields = " (" + strings.Join(ch.Fields, ", ") + ")"
		}
		fmt.Fprintf(stdout, "row %d: %s %s %s%s\n", ch.Row, ch.Action, ch.Kind, ch.Ref, fields)
	}
	if shown := len(res.Changes); shown == cordon.MaxImportChangesShown {
		fmt.Fprintf(stdout, "(the first %d changes)\n", shown)
	}
	verb := "Imported"
	if dryRun {
		verb = "Dry run, nothing written; would import"
	}
	fmt.Fprintf(stdout, "%s %d rows from %s: customers %d created, %d updated; units %d created, %d updated; %d unchanged.\n",
		verb, res.Rows, file, res.CustomersCreated, res.CustomersUpdated, res.UnitsCreated, res.UnitsUpdated, res.Unchanged)
	return nil
}

// problemPlace names where a problem is, as a spreadsheet does: units!C12,
// or the row or the sheet alone.
func problemPlace(p cordon.ImportProblem) string {
	switch {
	case p.Row > 0 && p.Column != "":
		return fmt.Sprintf("%s!%s%d", p.Sheet, p.Column, p.Row)
	case p.Row > 0:
		return fmt.Sprintf("%s row %d", p.Sheet, p.Row)
	}
	return p.Sheet
}

// exportUnits writes every unit, with its customer, to the file.
func exportUnits(ctx context.Context, db *store.DB, actor *cordon.Actor, svc cordon.InstalledBaseService, file, format, lang string, stdout io.Writer) error {
	var rows []cordon.SheetRow
	err := db.InScope(ctx, actor, func(ctx context.Context) error {
		var err error
		rows, err = svc.ExportUnits(ctx, cordon.UnitFilter{})
		return err
	})
	if err != nil {
		return fmt.Errorf("export: %s", cordon.ErrorMessage(err))
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := sheet.Write(f, format, lang, rows); err != nil {
		f.Close()
		os.Remove(file)
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(file)
		return err
	}
	fmt.Fprintf(stdout, "Exported %d units to %s.\n", len(rows), file)
	return nil
}

// runCustomers lists the institute's customers with their identities,
// acting as an institute user: each customer shown is an access event.
func runCustomers(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"customers needs list, create, update, deactivate or reactivate"}
	}
	switch args[0] {
	case "list":
	case "create", "update", "deactivate", "reactivate":
		return changeCustomer(ctx, args[0], args[1:], getenv, stdout)
	default:
		return usageError{"customers needs list, create, update, deactivate or reactivate"}
	}
	var as, q string
	var inactive bool
	c, _, err := loadConfig("customers list", args[1:], getenv, func(fs *flag.FlagSet, _ *config) {
		fs.StringVar(&as, "as", "", "the institute user to act as")
		fs.StringVar(&q, "q", "", "text in the code, the city or an identity field")
		fs.BoolVar(&inactive, "inactive", false, "include deactivated customers")
	})
	if err != nil {
		return err
	}
	if as == "" {
		return usageError{"customers list needs --as USERNAME"}
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, actor, err := actAs(ctx, db, as, cordon.ResCustomer, cordon.ActList)
	if err != nil {
		return err
	}
	svc := app.NewInstalledBase(db, time.Now)
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCODE\tCITY\tNAME\tUNIT DESIGNATION\tSTATUS")
	n := 0
	f := cordon.CustomerFilter{Query: q, Inactive: inactive, Limit: 500}
	for {
		var page []*cordon.Customer
		var next int64
		err := db.InScope(ctx, actor, func(ctx context.Context) error {
			var err error
			page, next, err = svc.FindCustomers(ctx, f)
			return err
		})
		if err != nil {
			return fmt.Errorf("customers: %s", cordon.ErrorMessage(err))
		}
		for _, x := range page {
			name, designation := "", ""
			if x.Identity != nil {
				name, designation = x.Identity.Name, x.Identity.UnitDesignation
			}
			status := "active"
			if !x.Active() {
				status = "deactivated"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.Code, x.City, name, designation, status)
			n++
		}
		if next == 0 {
			break
		}
		f.After = next
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d customers.\n", n)
	return nil
}

// changeCustomer registers, changes, deactivates or reactivates one
// customer, named by --code, as the named institute user; the service
// logs the identity fields written, as it does for the API.
func changeCustomer(ctx context.Context, sub string, args []string, getenv func(string) string, stdout io.Writer) error {
	var as, code string
	fields := map[string]*string{}
	names := []struct{ flag, help string }{{"city", "the customer's city"}, {"name", "the customer's name"},
		{"unit-designation", "its unit designation"}, {"contact", "the contact person"}, {"phone", "the contact's phone"},
		{"address", "the site address"}}
	set := map[string]bool{}
	c, fs, err := loadConfig("customers "+sub, args, getenv, func(fs *flag.FlagSet, _ *config) {
		fs.StringVar(&as, "as", "", "the institute user to act as")
		fs.StringVar(&code, "code", "", "the customer's code")
		if sub == "create" || sub == "update" {
			for _, n := range names {
				fields[n.flag] = fs.String(n.flag, "", n.help)
			}
		}
	})
	if err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if as == "" || code == "" {
		return usageError{"customers " + sub + " needs --as USERNAME and --code CODE"}
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	action := map[string]string{"create": cordon.ActCreate, "update": cordon.ActUpdate}[sub]
	if action == "" {
		action = cordon.ActManage
	}
	ctx, actor, err := actAs(ctx, db, as, cordon.ResCustomer, action)
	if err != nil {
		return err
	}
	svc := app.NewInstalledBase(db, time.Now)
	opt := func(flag string) *string {
		if set[flag] {
			return fields[flag]
		}
		return nil
	}
	var out *cordon.Customer
	err = db.InScope(ctx, actor, func(ctx context.Context) error {
		if sub == "create" {
			out, err = svc.CreateCustomer(ctx, cordon.NewCustomer{Code: code, City: *fields["city"], Identity: cordon.CustomerIdentity{
				Name: *fields["name"], UnitDesignation: *fields["unit-designation"], ContactPerson: *fields["contact"],
				Phone: *fields["phone"], SiteAddress: *fields["address"]}})
			return err
		}
		id, err := svc.CustomerIDByCode(ctx, code)
		if err != nil {
			return err
		}
		switch sub {
		case "update":
			out, err = svc.UpdateCustomer(ctx, id, cordon.CustomerUpdate{City: opt("city"), Name: opt("name"),
				UnitDesignation: opt("unit-designation"), ContactPerson: opt("contact"), Phone: opt("phone"), SiteAddress: opt("address")})
		default:
			out, err = svc.SetCustomerActive(ctx, id, sub == "reactivate")
		}
		return err
	})
	if err != nil {
		if e := cordon.AsError(err); e != nil && e.Field != "" {
			return fmt.Errorf("customers %s: %s: %s", sub, e.Field, e.Message)
		}
		return fmt.Errorf("customers %s: %s", sub, cordon.ErrorMessage(err))
	}
	status := "active"
	if !out.Active() {
		status = "deactivated"
	}
	fmt.Fprintf(stdout, "customer %d %s (%s): %s.\n", out.ID, out.Code, out.City, status)
	return nil
}

// actAs returns ctx acting as the named user, who must be an active
// institute user whose roles allow action on resource; the access log
// names the command as the request.
func actAs(ctx context.Context, db *store.DB, username, resource, action string) (context.Context, *cordon.Actor, error) {
	u, err := store.NewUserStore(db).FindUserByUsername(ctx, username)
	if err != nil {
		return nil, nil, fmt.Errorf("user %q: %s", username, cordon.ErrorMessage(err))
	}
	if u.Disabled() {
		return nil, nil, fmt.Errorf("user %q is disabled", username)
	}
	if u.Org == nil || u.Org.Kind != cordon.OrgInstitute {
		return nil, nil, fmt.Errorf("user %q is not an institute user: the installed base is the institute's", username)
	}
	roles, err := authz.NewRoleEnforcer(policies.FS)
	if err != nil {
		return nil, nil, err
	}
	if !roles.Allow(u.Roles, resource, action) {
		return nil, nil, fmt.Errorf("user %q: %s", username, cordon.ErrorMessage(cordon.Err(cordon.EFORBIDDEN, "server.your_role_may_not_do")))
	}
	a := &cordon.Actor{UserID: u.ID, Username: u.Username, OrgID: u.OrgID, OrgKind: u.Org.Kind, Roles: u.Roles}
	var id [6]byte
	rand.Read(id[:])
	ctx = cordon.NewContextWithMeta(ctx, cordon.RequestMeta{RequestID: "cli-" + hex.EncodeToString(id[:])})
	return cordon.NewContextWithActor(ctx, a), a, nil
}
