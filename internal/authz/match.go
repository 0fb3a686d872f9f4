package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// setSep delimits the members of a set in a scope row: "|Hefei|Wuhu|".
// Members may not contain it.
const setSep = "|"

// encodeSet returns the row form of a sorted, deduplicated set: "" for the
// empty set (which grants nothing), else "|a|b|".
func encodeSet(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return setSep + strings.Join(vals, setSep) + setSep
}

// setHas reports whether v is a member of the encoded set, without
// allocating.
func setHas(set, v string) bool {
	if v == "" || strings.Contains(v, setSep) {
		return false
	}
	for len(set) > 1 && set[0] == setSep[0] {
		set = set[1:]
		i := strings.IndexByte(set, setSep[0])
		if i < 0 {
			return false
		}
		if set[:i] == v {
			return true
		}
		set = set[i:]
	}
	return false
}

// The custom functions of scope.conf. An empty request value is "not
// applicable" and passes; any other value must be granted.

// setContains(set, v): v == "" or v is a member of set.
func setContains(args ...any) (any, error) {
	set, v, err := twoStrings("setContains", args)
	if err != nil {
		return false, err
	}
	return v == "" || setHas(set, v), nil
}

// classAtMost(c, ceiling): c == "" or c is at or below ceiling.
func classAtMost(args ...any) (any, error) {
	c, ceiling, err := twoStrings("classAtMost", args)
	if err != nil {
		return false, err
	}
	return c == "" || cordon.Classification(c).AtMost(cordon.Classification(ceiling)), nil
}

// disclosureAtLeast(granted, want): want == "" or granted discloses at
// least as much as want.
func disclosureAtLeast(args ...any) (any, error) {
	granted, want, err := twoStrings("disclosureAtLeast", args)
	if err != nil {
		return false, err
	}
	if want == "" {
		return true, nil
	}
	g, w := cordon.DisclosureLevel(granted), cordon.DisclosureLevel(want)
	return g.Valid() && w.Valid() && g.AtLeast(w), nil
}

func twoStrings(fn string, args []any) (string, string, error) {
	if len(args) != 2 {
		return "", "", fmt.Errorf("%s: want 2 arguments, got %d", fn, len(args))
	}
	a, ok1 := args[0].(string)
	b, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return "", "", fmt.Errorf("%s: want string arguments, got %T, %T", fn, args[0], args[1])
	}
	return a, b, nil
}

// normalGrant checks g and returns a copy with its sets sorted and
// deduplicated. A grant that fails grants nothing.
func normalGrant(g cordon.Grant) (cordon.Grant, error) {
	switch {
	case g.PartnerID <= 0:
		return g, fmt.Errorf("no partner")
	case !known(Resources, g.Resource):
		return g, fmt.Errorf("unknown resource %q", g.Resource)
	case !known(Actions, g.Action):
		return g, fmt.Errorf("unknown action %q", g.Action)
	case g.ContractNo == "" || g.Clause == "":
		return g, fmt.Errorf("no contract number or clause")
	case g.Ceiling != "" && !g.Ceiling.Valid():
		return g, fmt.Errorf("unknown classification %q", g.Ceiling)
	case g.Disclosure != "" && !g.Disclosure.Valid():
		return g, fmt.Errorf("unknown disclosure level %q", g.Disclosure)
	}
	var err error
	if g.Cities, err = normalSet("city", g.Cities); err != nil {
		return g, err
	}
	if g.ProductLines, err = normalSet("product line", g.ProductLines); err != nil {
		return g, err
	}
	for _, c := range g.ServiceTypes {
		if !c.Valid() {
			return g, fmt.Errorf("unknown service type %q", c)
		}
	}
	g.ServiceTypes = slices.Compact(slices.Sorted(slices.Values(g.ServiceTypes)))
	return g, nil
}

func normalSet(what string, vals []string) ([]string, error) {
	for _, v := range vals {
		if v == "" || strings.Contains(v, setSep) {
			return nil, fmt.Errorf("bad %s %q", what, v)
		}
	}
	if len(vals) == 0 {
		return nil, nil
	}
	return slices.Compact(slices.Sorted(slices.Values(vals))), nil
}

// grantRow returns the scope.conf row of a normalised grant:
// partner, resource, action, cities, lines, types, ceiling, disclosure,
// contract, clause.
func grantRow(partner string, g cordon.Grant) []string {
	types := make([]string, len(g.ServiceTypes))
	for i, t := range g.ServiceTypes {
		types[i] = string(t)
	}
	return []string{
		partner, g.Resource, g.Action,
		encodeSet(g.Cities), encodeSet(g.ProductLines), encodeSet(types),
		string(g.Ceiling), string(g.Disclosure),
		g.ContractNo, g.Clause,
	}
}

// cloneGrant returns a copy of g that shares no slice with it.
func cloneGrant(g cordon.Grant) cordon.Grant {
	g.Cities = slices.Clone(g.Cities)
	g.ProductLines = slices.Clone(g.ProductLines)
	g.ServiceTypes = slices.Clone(g.ServiceTypes)
	return g
}
