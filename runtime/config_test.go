package runtime

import (
	"strings"
	"testing"
)

// TestConfigValidate: the zero Config and values at their bounds pass; a negative or too large
// count or size is refused with an error naming the field.
func TestConfigValidate(t *testing.T) {
	ok := []Config{
		{},
		{MaxRunning: MostRunning, Pool: PoolConfig{TableElements: MostTableElements, InstanceSize: MostInstanceSize, KeepResident: MostKeepResident}},
		{MaxRunning: 1, Pool: PoolConfig{OnDemand: true, TableElements: 1, InstanceSize: 1, KeepResident: 1}},
	}
	for _, c := range ok {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{MaxRunning: -1}, "MaxRunning is -1, a negative number"},
		{Config{MaxRunning: MostRunning + 1}, "MaxRunning is 8193, more than the most allowed, 8192"},
		{Config{Pool: PoolConfig{TableElements: -1 << 62}}, "Pool.TableElements"},
		{Config{Pool: PoolConfig{TableElements: MostTableElements + 1}}, "Pool.TableElements"},
		{Config{Pool: PoolConfig{InstanceSize: -1}}, "Pool.InstanceSize"},
		{Config{Pool: PoolConfig{InstanceSize: 1 << 62}}, "Pool.InstanceSize"},
		{Config{Pool: PoolConfig{KeepResident: -1}}, "Pool.KeepResident"},
		{Config{Pool: PoolConfig{KeepResident: MostKeepResident + 1}}, "Pool.KeepResident"},
	} {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want it to contain %q", c.cfg, err, c.want)
		}
	}
}
