package dispatch

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
)

// TestFindSensitive: what intake screening finds in a description and
// where (the character, counted from 1, as the message tells the user),
// and what it must leave alone: dates, part and version numbers, other
// units' serials.
func TestFindSensitive(t *testing.T) {
	const serial = "RD2024-0001"
	id := &cordon.CustomerIdentity{Name: "合肥气象站", UnitDesignation: "96723部队", ContactPerson: "王工",
		Phone: "65550000", SiteAddress: "合肥市蜀山区"}
	found := func(key string, at int) *screenFinding { return &screenFinding{key: key, at: at} }
	const (
		kSerial = "dispatch.screen_serial"
		kName   = "dispatch.screen_customer_name"
		kDesig  = "dispatch.screen_unit_designation"
		kPhone  = "dispatch.screen_phone"
	)
	tests := []struct {
		name   string
		text   string
		serial string
		id     *cordon.CustomerIdentity
		want   *screenFinding
	}{
		// The unit's serial, whatever its case.
		{"serial", "Unit RD2024-0001 does not power on.", serial, id, found(kSerial, 6)},
		{"serial lower case", "unit rd2024-0001 does not power on.", serial, id, found(kSerial, 6)},
		{"serial mixed case", "Rd2024-0001 fails", serial, id, found(kSerial, 1)},
		{"serial in Chinese text", "装备RD2024-0001无法开机", serial, id, found(kSerial, 3)},
		{"serial after another unit's", "RD2024-00012 and RD2024-0001 fail", serial, id, found(kSerial, 18)},
		{"serial at the end", "雷达不开机，序列号：rd2024-0001", serial, id, found(kSerial, 11)},

		// The customer's identity.
		{"customer name", "合肥气象站的雷达不开机", serial, id, found(kName, 1)},
		{"customer name inside", "用户是合肥气象站，雷达不开机", serial, id, found(kName, 4)},
		{"unit designation", "报告单位：96723部队", serial, id, found(kDesig, 6)},
		{"stored phone", "请拨65550000联系", serial, id, found(kPhone, 3)},
		{"name without an identity", "合肥气象站的雷达不开机", serial, nil, nil},

		// Chinese mobiles and landlines, anywhere.
		{"mobile", "Call the duty officer on 13912345678.", "", nil, found(kPhone, 26)},
		{"mobile in Chinese text", "电话13912345678", "", nil, found(kPhone, 3)},
		{"mobile +86 spaced", "Call +86 139 1234 5678 now", "", nil, found(kPhone, 6)},
		{"mobile dashed", "call 139-1234-5678.", "", nil, found(kPhone, 6)},
		{"mobile after Chinese punctuation", "联系人王师傅，电话：139 1234 5678", "", nil, found(kPhone, 11)},
		{"landline", "Call 0551-62345678 first.", "", nil, found(kPhone, 6)},
		{"landline in Chinese text", "值班室0551-62345678", "", nil, found(kPhone, 4)},
		{"landline with parentheses", "(0551) 62345678", "", nil, found(kPhone, 1)},
		{"landline in parentheses after text", "值班室(0551)62345678", "", nil, found(kPhone, 4)},

		// Not sensitive.
		{"date", "Software fails after the 2026-10-01 update.", serial, id, nil},
		{"date with slashes", "上次巡检 2026/10/01，正常", serial, id, nil},
		{"date and time", "2026-10-01 13:45 起故障", serial, id, nil},
		{"part number", "part 123-4567 replaced", serial, id, nil},
		{"part number with letters", "电源模块 PWR-7731 损坏", serial, id, nil},
		{"model", "RD-200 radar: transmitter fault", serial, id, nil},
		{"version", "Software V3.2.1 fails; V3.2 did not.", serial, id, nil},
		{"other unit's serial", "Same fault as RD2024-0002 last year.", serial, id, nil},
		{"another unit's longer serial", "Same fault as RD2024-00012 last year.", serial, id, nil},
		{"stored phone inside a longer number", "订单号 4655500001", serial, id, nil},
		{"long number", "订单号 139123456789012", serial, id, nil},
		{"mobile-like run inside a code", "板卡 SN-13912345678", serial, id, nil},
		{"no serial", "RD2024-0001 fails", "", nil, nil},
		{"one-character name", "王师傅昨天来过，雷达正常", serial,
			&cordon.CustomerIdentity{Name: "王", UnitDesignation: "甲", Phone: "1"}, nil},
		{"blank identity", "雷达不开机", " ", &cordon.CustomerIdentity{Name: "  "}, nil},

		// Positions stay right after characters whose lower case is
		// shorter (Ω, the ohm sign) or longer (İ) in UTF-8.
		{"after the ohm sign", "电阻10\u2126，装备RD2024-0001", serial, id, found(kSerial, 9)},
		{"after a capital dotted I", "İİİİİİİİİİİİ rd2024-0001", serial, id, found(kSerial, 14)},
		{"after invalid UTF-8", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff rd2024-0001", serial, id, found(kSerial, 14)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := findSensitive(tc.text, tc.serial, tc.id)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(screenFinding{})); diff != "" {
				t.Errorf("findSensitive(%q) (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}
