package demo

import (
	"context"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// The cities of the demo world, as the scope of contracts names them.
const (
	Hefei   = "Hefei"
	Wuhu    = "Wuhu"
	Wuhan   = "Wuhan"
	Xian    = "Xi'an"
	Nanjing = "Nanjing"
	Chengdu = "Chengdu"
)

// The contract numbers of the demo world.
const (
	ContractHefei = "HF-2026-001"
	ContractWuhan = "WH-2026-001"
	ContractXian  = "XA-2024-001"
)

type demoOrg struct {
	code, name, city, contact string
	kind                      cordon.OrgKind
}

var demoOrgs = []demoOrg{
	{InstituteCode, "研究所 (Institute)", Hefei, "售后服务部 0551-65501234", cordon.OrgInstitute},
	{"hefei", "合肥华安技术服务有限公司 (Hefei)", Hefei, "0551-63886001", cordon.OrgPartner},
	{"wuhan", "武汉江城通信技术服务有限公司 (Wuhan)", Wuhan, "027-87651230", cordon.OrgPartner},
	{"xian", "西安秦川电子技术服务有限公司 (Xi'an)", Xian, "029-88324560", cordon.OrgPartner},
}

type demoUser struct {
	org, username, name string
	role                cordon.Role
}

var demoUsers = []demoUser{
	{InstituteCode, "dispatcher", "陈静 (Dispatcher)", cordon.RoleDispatcher},
	{InstituteCode, "quality", "刘建国 (Quality)", cordon.RoleQualitySupervisor},
	{InstituteCode, "engineer", "王志强 (Engineer)", cordon.RoleEngineer},
	{InstituteCode, "contracts", "赵敏 (Contracts)", cordon.RoleContractAdmin},
	{InstituteCode, "legal", "孙立 (Legal)", cordon.RoleLegalAuditor},
	{InstituteCode, "admin", "系统管理员 (Admin)", cordon.RoleAdmin},
	{"hefei", "hefei.admin", "周海 (Hefei admin)", cordon.RolePartnerAdmin},
	{"hefei", "hefei.tech", "吴磊 (Hefei technician)", cordon.RolePartnerTechnician},
	{"wuhan", "wuhan.admin", "黄丽 (Wuhan admin)", cordon.RolePartnerAdmin},
	{"wuhan", "wuhan.tech", "郭涛 (Wuhan technician)", cordon.RolePartnerTechnician},
	{"xian", "xian.admin", "马军 (Xi'an admin)", cordon.RolePartnerAdmin},
	{"xian", "xian.tech", "罗勇 (Xi'an technician)", cordon.RolePartnerTechnician},
}

func (sd *seeder) seedOrgs(ctx context.Context) error {
	for _, d := range demoOrgs {
		o := &cordon.Org{Code: d.code, Name: d.name, Kind: d.kind, HomeCity: d.city, Contact: d.contact}
		if err := sd.s.Orgs.CreateOrg(ctx, o); err != nil {
			return err
		}
		sd.orgs[d.code] = o
		sd.w.Orgs[d.code] = o.ID
	}
	for _, d := range demoUsers {
		u := &cordon.User{
			OrgID: sd.orgs[d.org].ID, Username: d.username, DisplayName: d.name,
			PasswordHash: sd.password, Roles: []cordon.Role{d.role},
		}
		if err := sd.s.Users.CreateUser(ctx, u); err != nil {
			return err
		}
		sd.users[d.username] = u
		sd.w.Users[d.username] = u.ID
	}
	return nil
}

type demoLine struct {
	code, name, english string
	models              []demoModel
}

type demoModel struct{ code, name, english string }

// demoLines: radar and comms are what partners service; nobody's contract
// covers power, so its work stays in-house.
var demoLines = []demoLine{
	{"radar", "雷达 (Radar)", "Radar", []demoModel{
		{"RD-200", "RD-200 低空监视雷达", "RD-200 low-altitude surveillance radar"},
		{"RD-350", "RD-350 气象探测雷达", "RD-350 weather radar"},
		{"RD-500", "RD-500 目标指示雷达", "RD-500 target indication radar"},
	}},
	{"comms", "通信 (Communications)", "Communications", []demoModel{
		{"CM-10", "CM-10 短波电台", "CM-10 HF radio"},
		{"CM-40", "CM-40 卫星通信终端", "CM-40 satellite terminal"},
		{"CM-60", "CM-60 野战光端机", "CM-60 field optical transceiver"},
	}},
	{"power", "电源 (Power systems)", "Power systems", []demoModel{
		{"PW-5", "PW-5 移动电站", "PW-5 mobile power station"},
		{"PW-8", "PW-8 不间断电源", "PW-8 uninterruptible power supply"},
	}},
}

func lineOf(code string) demoLine {
	for _, l := range demoLines {
		if l.code == code {
			return l
		}
	}
	panic("demo: unknown product line " + code)
}

func modelOf(code string) demoModel {
	for _, l := range demoLines {
		for _, m := range l.models {
			if m.code == code {
				return m
			}
		}
	}
	panic("demo: unknown model " + code)
}

func (sd *seeder) seedCatalog(ctx context.Context) error {
	for _, l := range demoLines {
		p := &cordon.ProductLine{Code: l.code, Name: l.name}
		if err := sd.s.Catalog.CreateProductLine(ctx, p); err != nil {
			return err
		}
		sd.lines[l.code] = p
		sd.w.ProductLines[l.code] = p.ID
		for _, dm := range l.models {
			m := &cordon.Model{ProductLineID: p.ID, Code: dm.code, Name: dm.name}
			if err := sd.s.Catalog.CreateModel(ctx, m); err != nil {
				return err
			}
			sd.models = append(sd.models, m)
			sd.modelCode[m.ID] = dm.code
			// Each model's main components, so that a part can be traced
			// to every unit that carries it.
			for _, c := range []cordon.Component{
				{PartNumber: dm.code + "-PWR-01", Name: modules[l.code], Supplier: "合肥华电电源有限公司"},
				{PartNumber: dm.code + "-CTL-02", Name: "主控板", Supplier: "本所电子装配车间"},
				{PartNumber: dm.code + "-HRN-03", Name: "线缆组件", Supplier: "芜湖精联线缆厂"},
			} {
				c.ModelID = m.ID
				if err := sd.s.Catalog.CreateComponent(ctx, &c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func sla(accept, respond, onSite, resolve time.Duration) cordon.SLATerms {
	return cordon.SLATerms{Accept: accept, Respond: respond, OnSite: onSite, Resolve: resolve}
}

const day = 24 * time.Hour

type demoContract struct {
	partner string
	c       cordon.Contract
}

// demoContracts are the three partner contracts. Dates are calendar dates
// (midnight UTC), as a contract's YAML gives them.
var demoContracts = []demoContract{
	{"hefei", cordon.Contract{
		Number: ContractHefei, Status: cordon.ContractActive,
		EffectiveFrom: date(2026, 1, 1), ExpiresOn: date(2027, 12, 31),
		Scope: cordon.Scope{
			Cities: []string{Hefei, Wuhu}, ProductLines: []string{"radar", "comms"},
			ServiceTypes: cordon.Categories, DocumentCeiling: cordon.ClassInternal,
			Disclosure: cordon.DiscloseSiteContact, DisclosureGraceHours: 72,
		},
		SLA: map[cordon.Priority]cordon.SLATerms{
			cordon.P1: sla(30*time.Minute, time.Hour, 4*time.Hour, 24*time.Hour),
			cordon.P2: sla(time.Hour, 2*time.Hour, 8*time.Hour, 48*time.Hour),
			cordon.P3: sla(4*time.Hour, 8*time.Hour, 2*day, 5*day),
			cordon.P4: sla(day, 2*day, 7*day, 30*day),
		},
		Clauses: cordon.Clauses{"jobs": "§3.1", "customers": "§6.2", "documents": "§5.1", "sla": "§4", "breach": "§9.3"},
		Incentives: &cordon.Incentives{
			Penalties: map[string]cordon.Penalty{
				"jobs":   {Incident: cordon.IncidentLapsedOffer, Points: 1, AmountPerPoint: 200},
				"sla":    {Incident: cordon.IncidentSLABreach, Points: 2, AmountPerPoint: 500},
				"breach": {Incident: cordon.IncidentComplaint, Points: 3, AmountPerPoint: 1000},
			},
			Reward: &cordon.Reward{Amount: 20000, MinScore: 0.75, MaxPoints: 5},
		},
	}},
	{"wuhan", cordon.Contract{
		Number: ContractWuhan, Status: cordon.ContractActive,
		EffectiveFrom: date(2026, 1, 1), ExpiresOn: date(2027, 6, 30),
		Scope: cordon.Scope{
			Cities: []string{Wuhan}, ProductLines: []string{"comms"},
			ServiceTypes:    []cordon.Category{cordon.CatRepair, cordon.CatMaintenance},
			DocumentCeiling: cordon.ClassPublic, Disclosure: cordon.DiscloseCity, DisclosureGraceHours: 24,
		},
		SLA: map[cordon.Priority]cordon.SLATerms{
			cordon.P1: sla(30*time.Minute, 2*time.Hour, 6*time.Hour, 36*time.Hour),
			cordon.P2: sla(2*time.Hour, 4*time.Hour, 12*time.Hour, 3*day),
			cordon.P3: sla(8*time.Hour, day, 3*day, 7*day),
			cordon.P4: sla(2*day, 3*day, 10*day, 30*day),
		},
		Clauses: cordon.Clauses{"jobs": "§2.3", "customers": "§7.1", "documents": "§5.4", "sla": "§4.2", "breach": "§10.1"},
		Incentives: &cordon.Incentives{
			Penalties: map[string]cordon.Penalty{
				"jobs": {Incident: cordon.IncidentLapsedOffer, Points: 1, AmountPerPoint: 300},
				"sla":  {Incident: cordon.IncidentSLABreach, Points: 1, AmountPerPoint: 300},
			},
			Reward: &cordon.Reward{Amount: 10000, MinScore: 0.8},
		},
	}},
	{"xian", cordon.Contract{
		Number: ContractXian, Status: cordon.ContractExpired,
		EffectiveFrom: date(2024, 1, 1), ExpiresOn: date(2025, 12, 31),
		Scope: cordon.Scope{
			Cities: []string{Xian}, ProductLines: []string{"radar"},
			ServiceTypes: cordon.Categories, DocumentCeiling: cordon.ClassInternal,
			Disclosure: cordon.DiscloseSite, DisclosureGraceHours: 48,
		},
		SLA: map[cordon.Priority]cordon.SLATerms{
			cordon.P1: sla(time.Hour, 2*time.Hour, 8*time.Hour, 48*time.Hour),
			cordon.P2: sla(2*time.Hour, 4*time.Hour, 24*time.Hour, 4*day),
			cordon.P3: sla(8*time.Hour, day, 3*day, 10*day),
			cordon.P4: sla(2*day, 3*day, 14*day, 45*day),
		},
		Clauses: cordon.Clauses{"jobs": "§3.2", "customers": "§6.1", "documents": "§5.2", "sla": "§4.1", "breach": "§8"},
	}},
}

// inHouseSLA paces the institute's own jobs in the seeded history; no
// contract binds them.
var inHouseSLA = map[cordon.Priority]cordon.SLATerms{
	cordon.P1: sla(15*time.Minute, 2*time.Hour, 12*time.Hour, 48*time.Hour),
	cordon.P2: sla(30*time.Minute, 4*time.Hour, day, 4*day),
	cordon.P3: sla(2*time.Hour, day, 3*day, 10*day),
	cordon.P4: sla(day, 3*day, 10*day, 30*day),
}

func (sd *seeder) seedContracts(ctx context.Context) error {
	for _, d := range demoContracts {
		c := d.c // a copy: the table stays as it is
		c.PartnerID = sd.orgs[d.partner].ID
		c.Scope.Cities = append([]string(nil), c.Scope.Cities...)
		c.Scope.ProductLines = append([]string(nil), c.Scope.ProductLines...)
		c.Scope.ServiceTypes = append([]cordon.Category(nil), c.Scope.ServiceTypes...)
		if err := sd.s.Contracts.CreateContract(ctx, &c); err != nil {
			return err
		}
		sd.contracts[d.partner] = &c
		sd.w.Contracts[c.Number] = c.ID
	}
	return nil
}
