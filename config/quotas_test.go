package config

import (
	"strings"
	"testing"

	"github.com/aiosys/aios/kernel/quota"
)

func TestQuotaPeriods(t *testing.T) {
	dir := isolate(t)
	cfg, err := Load(writeFile(t, dir, `
[quotas.agents.daily]
tokens = 1000
period = "daily"

[quotas.tenants.acme]
money = 5
period = "monthly"

[quotas.agents.always]
tokens = 7
`))
	if err != nil {
		t.Fatal(err)
	}
	l := quota.NewLedger()
	cfg.Quotas.SetLimits(l)
	for _, tt := range []struct {
		scope quota.Scope
		name  string
		want  quota.Limit
	}{
		{quota.Agent, "daily", quota.Limit{Tokens: 1000, Period: quota.Daily}},
		{quota.Tenant, "acme", quota.Limit{Money: quota.Dollars(5), Period: quota.Monthly}},
		{quota.Agent, "always", quota.Limit{Tokens: 7}},
	} {
		if got := l.Balance(tt.scope, tt.name).Limit; got != tt.want {
			t.Errorf("%s %q: limit %+v, want %+v", tt.scope, tt.name, got, tt.want)
		}
	}
}

func TestQuotaPeriodRefused(t *testing.T) {
	dir := isolate(t)
	_, err := Load(writeFile(t, dir, "[quotas.tenants.t]\nmoney = 1\nperiod = \"weekly\\n\"\n"))
	if err == nil || !strings.Contains(err.Error(), `quotas.tenants.t: period "weekly\n" is not one of "daily", "monthly"`) {
		t.Fatalf("error %v, want the period named", err)
	}
}
