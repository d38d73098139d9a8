package aios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aiosys/aios/kernel/quota"
	"github.com/aiosys/aios/packager/bundle"
)

// bundleBudget reads the per-run budget a bundle's manifest declares ([budgets]: tokens and
// usd) from its bytes; a plain module, without a manifest, has none. The manifest is read
// whether or not its signature was checked: a budget can only lower what a run may spend, so a
// forged one harms no one but its forger.
func bundleBudget(wasm []byte) (quota.Limit, error) {
	if len(wasm) > bundle.MaxBundleSize {
		return quota.Limit{}, nil // too large to be a bundle: a plain module
	}
	b, err := bundle.Open(wasm)
	if errors.Is(err, bundle.ErrNoManifest) {
		return quota.Limit{}, nil
	}
	if err != nil {
		return quota.Limit{}, fmt.Errorf("read the bundle's budgets: %w", err)
	}
	m := b.Manifest()
	money, err := parseUSD(m.Budgets.USD)
	if err != nil {
		return quota.Limit{}, fmt.Errorf("read the bundle's budgets: usd: %w", err)
	}
	return quota.Limit{Tokens: max(m.Budgets.Tokens, 0), Money: money}, nil
}

// parseUSD converts a manifest's decimal dollar amount ("0.50", at most six decimals) to
// micro-units exactly, saturating at the largest Cost; "" is zero (no budget).
func parseUSD(s string) (quota.Cost, error) {
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 6 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a decimal amount with at most 6 decimals", s)
	}
	micros, err := strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	dollars, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || dollars > (math.MaxInt64-micros)/1_000_000 {
		return math.MaxInt64, nil // all digits, so only too large: as good as no budget
	}
	return quota.Cost(dollars*1_000_000 + micros), nil
}
