package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/team"
)

func runUsers(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"users needs create, disable or list"}
	}
	sub, args := args[0], args[1:]
	var org, username, roles, display string
	c, _, err := loadConfig("users "+sub, args, getenv, func(fs *flag.FlagSet, _ *config) {
		fs.StringVar(&org, "org", "", "organisation code (institute, or a partner code)")
		fs.StringVar(&username, "username", "", "login name")
		fs.StringVar(&roles, "roles", "", "comma-separated roles")
		fs.StringVar(&display, "display-name", "", "display name")
	})
	if err != nil {
		return err
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	// The operator acts as the institute's administrator, under the same
	// rules as the API and the team page.
	users, orgs, teams := store.NewUserStore(db), store.NewOrgStore(db), app.NewTeam(db, nil, time.Now)
	op := team.Operator(ctx)
	switch sub {
	case "create":
		if org == "" || username == "" || roles == "" {
			return usageError{"users create needs --org, --username and --roles"}
		}
		o, err := orgs.FindOrgByCode(ctx, org)
		if err != nil {
			return fmt.Errorf("organisation %q: %s", org, cordon.ErrorMessage(err))
		}
		password := getenv("CORDON_USER_PASSWORD")
		if password == "" {
			fmt.Fprint(stdout, "Password: ")
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("read password: no input")
			}
			password = strings.TrimRight(line, "\r\n")
		}
		if display == "" {
			display = username
		}
		nu := cordon.NewUser{OrgID: o.ID, Username: username, DisplayName: display, Password: password}
		for _, r := range strings.Split(roles, ",") {
			nu.Roles = append(nu.Roles, cordon.Role(strings.TrimSpace(r)))
		}
		u, oneTime, err := teams.CreateUser(op, nu)
		if err != nil {
			return fmt.Errorf("create user: %s", cordon.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Created user %s (id %d) in %s.\n", u.Username, u.ID, o.Code)
		if oneTime != "" { // no password given: the service made one
			fmt.Fprintf(stdout, "One-time password (shown once): %s\n", oneTime)
		}
		return nil
	case "disable":
		if username == "" {
			return usageError{"users disable needs --username"}
		}
		u, err := users.FindUserByUsername(ctx, username)
		if err != nil {
			return fmt.Errorf("user %q: %s", username, cordon.ErrorMessage(err))
		}
		if _, err := teams.DisableUser(op, u.ID); err != nil {
			return fmt.Errorf("disable user: %s", cordon.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Disabled user %s; its sessions are revoked.\n", u.Username)
		return nil
	case "list":
		var f cordon.TeamFilter
		if org != "" {
			o, err := orgs.FindOrgByCode(ctx, org)
			if err != nil {
				return fmt.Errorf("organisation %q: %s", org, cordon.ErrorMessage(err))
			}
			f.OrgID = &o.ID
		}
		list, total, err := teams.FindUsers(op, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tORG\tROLES\tSTATUS")
		for _, u := range list {
			status := "active"
			if u.Disabled() {
				status = "disabled"
			}
			rs := make([]string, len(u.Roles))
			for i, r := range u.Roles {
				rs[i] = string(r)
			}
			code := ""
			if u.Org != nil {
				code = u.Org.Code
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Username, code, strings.Join(rs, ","), status)
		}
		tw.Flush()
		fmt.Fprintf(stdout, "%d users.\n", total)
		return nil
	}
	return usageError{fmt.Sprintf("unknown users command %q", sub)}
}
