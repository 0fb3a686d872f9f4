package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// demoCity is how customers in a city are made: how many, which product
// lines their units come from (cycled), and the bits of their addresses.
type demoCity struct {
	name, chinese, areaCode string
	customers               int
	lines                   []string
	districts, roads        []string
	firstDelivery           time.Time
}

var demoCities = []demoCity{
	{Hefei, "合肥市", "0551", 9, []string{"radar", "comms", "power"},
		[]string{"蜀山区", "包河区", "庐阳区", "瑶海区"}, []string{"长江西路", "望江西路", "金寨路", "繁华大道"}, date(2022, 6, 1)},
	{Wuhu, "芜湖市", "0553", 5, []string{"radar", "comms", "power"},
		[]string{"镜湖区", "鸠江区", "弋江区"}, []string{"赭山路", "银湖北路", "九华山路"}, date(2022, 6, 1)},
	{Wuhan, "武汉市", "027", 8, []string{"comms", "radar", "comms"},
		[]string{"洪山区", "武昌区", "江夏区", "汉阳区"}, []string{"珞喻路", "中山路", "雄楚大道", "江城大道"}, date(2022, 6, 1)},
	{Xian, "西安市", "029", 6, []string{"radar", "comms", "radar"},
		[]string{"雁塔区", "长安区", "未央区", "灞桥区"}, []string{"长安南路", "丈八北路", "凤城八路", "纺织城正街"}, date(2022, 3, 1)},
	{Nanjing, "南京市", "025", 4, []string{"power", "radar"},
		[]string{"玄武区", "江宁区", "栖霞区"}, []string{"中山东路", "龙眠大道", "仙林大道"}, date(2022, 6, 1)},
	{Chengdu, "成都市", "028", 4, []string{"radar", "comms"},
		[]string{"武侯区", "双流区", "新都区"}, []string{"人民南路", "航空港大道", "蓉都大道"}, date(2022, 6, 1)},
}

var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"}
	givenNames = []string{"伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "建华", "志刚", "海燕", "国庆", "晓东", "文博", "立新", "春梅"}
	subunits   = []string{"技术保障队", "雷达站", "通信营", "装备部", "修理所", "指挥所", "气象站"}
	firmWords  = []string{"华讯", "中科", "国睿", "天元", "星网", "长江", "秦岭", "金陵", "蜀通", "启明", "恒信", "安捷"}
	firmKinds  = []string{"电子工程有限公司", "通信技术有限公司", "航空设备有限公司", "气象科技有限公司", "电力设备有限公司"}
)

// demoCustomer is a seeded customer with what the service step needs.
type demoCustomer struct {
	*cordon.Customer
	surname string
}

func (sd *seeder) seedCustomers(ctx context.Context) error {
	usedDesignations := map[int]bool{}
	usedFirms := map[string]bool{}
	serial := map[string]int{} // per model and year
	for _, city := range demoCities {
		lineTurn := 0
		modelTurn := map[string]int{} // per line: models in turn, so a city has each
		for i := 0; i < city.customers; i++ {
			surname := pick(sd.rng, surnames)
			id := &cordon.CustomerIdentity{
				ContactPerson: surname + pick(sd.rng, givenNames),
				SiteAddress: fmt.Sprintf("%s%s%s %d 号", city.chinese, pick(sd.rng, city.districts),
					pick(sd.rng, city.roads), 1+sd.rng.IntN(399)),
			}
			if sd.rng.IntN(2) == 0 {
				id.Phone = fmt.Sprintf("1%d%d%08d", 3+sd.rng.IntN(6), sd.rng.IntN(10), sd.rng.IntN(100000000))
			} else {
				id.Phone = fmt.Sprintf("%s-%d%07d", city.areaCode, 6+sd.rng.IntN(3), sd.rng.IntN(10000000))
			}
			if sd.rng.IntN(3) < 2 { // two in three are military units
				n := 0
				for n == 0 || usedDesignations[n] {
					n = 31000 + sd.rng.IntN(66000)
				}
				usedDesignations[n] = true
				id.Name = fmt.Sprintf("中国人民解放军 %d 部队", n)
				id.UnitDesignation = fmt.Sprintf("%d 部队 %s", n, pick(sd.rng, subunits))
			} else {
				name := ""
				for name == "" || usedFirms[name] {
					name = city.chinese[:len(city.chinese)-len("市")] + pick(sd.rng, firmWords) + pick(sd.rng, firmKinds)
				}
				usedFirms[name] = true
				id.Name = name
				id.UnitDesignation = "设备保障部"
			}
			c := &cordon.Customer{Code: fmt.Sprintf("CU-%04d", len(sd.customers)+1), City: city.name, Identity: id}
			if err := sd.s.Customers.CreateCustomer(ctx, c); err != nil {
				return err
			}
			sd.customers = append(sd.customers, &demoCustomer{Customer: c, surname: surname})

			for range 1 + sd.rng.IntN(3) {
				line := city.lines[lineTurn%len(city.lines)]
				lineTurn++
				models := lineOf(line).models
				dm := models[modelTurn[line]%len(models)]
				modelTurn[line]++
				u, err := sd.newUnit(ctx, c, city, dm.code, serial)
				if err != nil {
					return err
				}
				sd.units = append(sd.units, u)
			}
		}
	}
	sd.w.Customers, sd.w.Units = len(sd.customers), len(sd.units)
	return nil
}

// newUnit delivers a unit of model code to customer c: delivered between
// the city's first delivery and four months before now, under a warranty of
// three years (radar) or two, and for half of them a visit every six months
// while the warranty lasts.
func (sd *seeder) newUnit(ctx context.Context, c *cordon.Customer, city demoCity, code string, serial map[string]int) (*cordon.Unit, error) {
	last := sd.now.AddDate(0, -4, 0)
	if city.name == Xian {
		last = date(2024, 6, 1) // the Xi'an partner serviced units delivered before its contract
	}
	// Days are days in China: a delivery date is China's midnight, as the
	// portal and the import write it.
	t := sd.between(city.firstDelivery, last).In(cordon.ChinaTime)
	delivered := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cordon.ChinaTime)
	var m *cordon.Model
	for _, x := range sd.models {
		if x.Code == code {
			m = x
		}
	}
	warranty := 24
	if m.ProductLineID == sd.lines["radar"].ID {
		warranty = 36
	}
	compact := code[:2] + code[3:]
	yy := delivered.Year() % 100
	half := "A"
	if delivered.Month() > 6 {
		half = "B"
	}
	key := fmt.Sprintf("%s-%02d", compact, yy)
	serial[key]++
	u := &cordon.Unit{
		ModelID: m.ID, CustomerID: c.ID, Serial: fmt.Sprintf("%s-%02d%04d", compact, yy, serial[key]),
		Batch: fmt.Sprintf("%s-%02d%s", compact, yy, half), SiteCity: city.name,
		DeliveredOn: delivered, WarrantyEnd: delivered.AddDate(0, warranty, 0),
	}
	if sd.rng.IntN(2) == 0 {
		u.FollowUpMonths = 6
		// The next visit: the first six-month mark from a month ago on,
		// while the warranty lasts; none once it has run out.
		for k := 1; ; k++ {
			due := delivered.AddDate(0, 6*k, 0)
			if due.After(u.WarrantyEnd) {
				break
			}
			if due.After(sd.now.AddDate(0, -1, 0)) {
				u.NextVisitDue = &due
				break
			}
		}
	}
	if err := sd.s.Catalog.CreateUnit(ctx, u); err != nil {
		return nil, err
	}
	return u, sd.track(ctx, u, serial[key])
}

// track records the unit's delivery milestones as quality would have:
// shipped five days before delivery, then installation, commissioning,
// acceptance and training a week apart, as far as the clock has come. One
// recent unit in three waits after installation, so the "stuck" list has
// something to show.
func (sd *seeder) track(ctx context.Context, u *cordon.Unit, n int) error {
	by := sd.users["quality"].ID
	stopAt := len(cordon.MilestoneKinds)
	if n%3 == 0 && u.DeliveredOn.After(sd.now.AddDate(0, -8, 0)) {
		stopAt = 3 // shipped, arrived, installed
	}
	on := u.DeliveredOn.AddDate(0, 0, -5)
	for i, kind := range cordon.MilestoneKinds[:stopAt] {
		switch {
		case i == 1:
			on = u.DeliveredOn
		case i > 1:
			on = on.AddDate(0, 0, 7)
		}
		if on.After(sd.now) {
			break
		}
		m := &cordon.Milestone{UnitID: u.ID, Kind: kind, On: on, RecordedBy: by, RecordedAt: on.Add(18 * time.Hour)}
		if err := sd.s.Catalog.CreateMilestone(ctx, m); err != nil {
			return err
		}
	}
	return nil
}
