package contract

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// Compile returns the grants contract c gives its partner at now: none
// unless c is in force (active, and now within its period). Otherwise one
// grant per action, each naming the contract and the clause behind it:
//
//   - jobs (clause "jobs"): view, accept, decline, update, within the cities,
//     product lines and service types;
//   - customers (clause "customers"): disclose, up to the disclosure level,
//     within the cities and product lines; none when the level is none;
//   - documents (clause "documents"): list, view, download, of the product
//     lines, up to the ceiling.
//
// That is at most eight rows per contract, whatever the size of its scope.
// Grants copy the contract's slices, so changing one changes neither.
func Compile(c *cordon.Contract, partnerCode string, now time.Time) []cordon.Grant {
	if c == nil || !c.InForce(now) {
		return nil
	}
	base := cordon.Grant{
		PartnerID:   c.PartnerID,
		PartnerCode: partnerCode,
		ContractID:  c.ID,
		ContractNo:  c.Number,
	}
	var out []cordon.Grant
	for _, act := range []string{cordon.ActView, cordon.ActAccept, cordon.ActDecline, cordon.ActUpdate} {
		g := base
		g.Clause = ClauseRef(c.Clauses[ClauseJobs])
		g.Resource, g.Action = cordon.ResJob, act
		g.Cities = clone(c.Scope.Cities)
		g.ProductLines = clone(c.Scope.ProductLines)
		g.ServiceTypes = clone(c.Scope.ServiceTypes)
		out = append(out, g)
	}
	if c.Scope.Disclosure.Valid() && c.Scope.Disclosure != cordon.DiscloseNone {
		g := base
		g.Clause = ClauseRef(c.Clauses[ClauseCustomers])
		g.Resource, g.Action = cordon.ResCustomer, cordon.ActDisclose
		g.Cities = clone(c.Scope.Cities)
		g.ProductLines = clone(c.Scope.ProductLines)
		g.Disclosure = c.Scope.Disclosure
		out = append(out, g)
	}
	if c.Scope.DocumentCeiling.Valid() {
		for _, act := range []string{cordon.ActList, cordon.ActView, cordon.ActDownload} {
			g := base
			g.Clause = ClauseRef(c.Clauses[ClauseDocuments])
			g.Resource, g.Action = cordon.ResDocument, act
			g.ProductLines = clone(c.Scope.ProductLines)
			g.Ceiling = c.Scope.DocumentCeiling
			out = append(out, g)
		}
	}
	return out
}

// clone copies s; nil stays nil.
func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

// Describe says what grant g allows, in words, prefixed by its contract and
// clause, e.g. (en) "HF-2026-001 §5.1: may download documents of radar,
// comms up to internal". lang "en" (or "en-…") gives English; anything
// else Simplified Chinese, the default.
func Describe(g cordon.Grant, lang string) string {
	en := lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_")
	head := strings.TrimSpace(g.ContractNo + " " + g.Clause)
	if en {
		return head + ": " + describeEN(g)
	}
	return head + "：" + describeZH(g)
}

func describeEN(g cordon.Grant) string {
	lines, cities := list(g.ProductLines, ", "), list(g.Cities, ", ")
	switch g.Resource {
	case cordon.ResJob:
		if everyCategory(g.ServiceTypes) {
			return fmt.Sprintf("may %s jobs of every service type for %s in %s", g.Action, lines, cities)
		}
		types := make([]string, len(g.ServiceTypes))
		for i, t := range g.ServiceTypes {
			types[i] = strings.ReplaceAll(string(t), "_", "-")
		}
		return fmt.Sprintf("may %s %s jobs for %s in %s", g.Action, list(types, ", "), lines, cities)
	case cordon.ResCustomer:
		what := map[cordon.DisclosureLevel]string{
			cordon.DiscloseNone:        "no customer identity",
			cordon.DiscloseCity:        "the customer's city",
			cordon.DiscloseSite:        "the customer's name and site address",
			cordon.DiscloseSiteContact: "the customer's name, site address and contact person",
		}[g.Disclosure]
		if what == "" {
			what = "customer identity up to " + string(g.Disclosure)
		}
		return fmt.Sprintf("may see %s for its jobs for %s in %s", what, lines, cities)
	case cordon.ResDocument:
		return fmt.Sprintf("may %s documents of %s up to %s", g.Action, lines, g.Ceiling)
	}
	return fmt.Sprintf("may %s %s", g.Action, g.Resource)
}

var (
	zhActions = map[string]string{
		cordon.ActView: "查看", cordon.ActAccept: "接受", cordon.ActDecline: "拒绝",
		cordon.ActUpdate: "更新", cordon.ActList: "列出", cordon.ActDownload: "下载",
		cordon.ActDisclose: "查看",
	}
	zhCategories = map[cordon.Category]string{
		cordon.CatFault: "故障", cordon.CatInstallation: "安装", cordon.CatCommissioning: "调试",
		cordon.CatTraining: "培训", cordon.CatMaintenance: "维护保养", cordon.CatFollowUp: "回访",
		cordon.CatUpgrade: "升级", cordon.CatConsultation: "咨询", cordon.CatRepair: "维修",
		cordon.CatInspection: "检查",
	}
	zhClasses = map[cordon.Classification]string{
		cordon.ClassPublic: "公开", cordon.ClassInternal: "内部",
		cordon.ClassRestricted: "受限", cordon.ClassConfidential: "机密",
	}
	zhDisclosure = map[cordon.DisclosureLevel]string{
		cordon.DiscloseNone:        "不得查看客户身份",
		cordon.DiscloseCity:        "可查看客户所在城市",
		cordon.DiscloseSite:        "可查看客户名称和现场地址",
		cordon.DiscloseSiteContact: "可查看客户名称、现场地址和联系人",
	}
)

// zh returns the Chinese for key in m, or key itself.
func zh[K ~string](m map[K]string, key K) string {
	if s, ok := m[key]; ok {
		return s
	}
	return string(key)
}

func describeZH(g cordon.Grant) string {
	lines, cities := list(g.ProductLines, "、"), list(g.Cities, "、")
	switch g.Resource {
	case cordon.ResJob:
		types := []string{"各类"}
		if !everyCategory(g.ServiceTypes) {
			types = make([]string, len(g.ServiceTypes))
			for i, t := range g.ServiceTypes {
				types[i] = zh(zhCategories, t)
			}
		}
		return fmt.Sprintf("可%s%s的 %s 产品线%s工单", zh(zhActions, g.Action), cities, lines, list(types, "、"))
	case cordon.ResCustomer:
		return fmt.Sprintf("在%s的 %s 产品线工单中，%s", cities, lines, zh(zhDisclosure, g.Disclosure))
	case cordon.ResDocument:
		return fmt.Sprintf("可%s %s 产品线密级不高于「%s」的技术文档", zh(zhActions, g.Action), lines, zh(zhClasses, g.Ceiling))
	}
	return fmt.Sprintf("可%s %s", zh(zhActions, g.Action), g.Resource)
}

// everyCategory reports whether ts names every service category.
func everyCategory(ts []cordon.Category) bool {
	for _, c := range cordon.Categories {
		if !slices.Contains(ts, c) {
			return false
		}
	}
	return true
}

// list joins items with sep, or says "—" for none.
func list(items []string, sep string) string {
	if len(items) == 0 {
		return "—"
	}
	return strings.Join(items, sep)
}
