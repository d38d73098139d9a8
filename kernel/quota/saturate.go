package quota

import (
	"math"
	"math/bits"
	"unsafe"
)

// Token and money amounts come from guests (max_tokens), backends (reported usage) and
// configuration, so any of them can be absurdly large. Sums and products of them saturate at
// the type's bounds instead of wrapping: a wrapped sum turns negative, and a negative estimate
// reads as "nothing" to every limit that compares it (issue #8: max_tokens near 2^63 passed
// a 300-token quota). A saturated amount is still larger than any real limit, so it is refused.

// integer is a signed integer type that amounts are kept in.
type integer interface{ ~int | ~int64 }

// Add returns a+b, or the bound of T it would pass instead of wrapping around.
func Add[T integer](a, b T) T {
	s := a + b
	switch {
	case b > 0 && s < a:
		return maxOf[T]()
	case b < 0 && s > a:
		return minOf[T]()
	}
	return s
}

// Sub returns a-b, or the bound of T it would pass instead of wrapping around.
func Sub[T integer](a, b T) T {
	s := a - b
	switch {
	case b < 0 && s < a:
		return maxOf[T]()
	case b > 0 && s > a:
		return minOf[T]()
	}
	return s
}

// Charge prices a use of in input and out output tokens at priceIn and priceOut per million
// tokens, rounded up to a whole micro-unit. Negative tokens or prices count as zero, and a
// charge beyond math.MaxInt64 micro-units is math.MaxInt64: it cannot wrap to a small or
// negative amount.
func Charge(in, out int64, priceIn, priceOut Cost) Cost {
	hi1, lo1 := bits.Mul64(nonNegative(in), nonNegative(int64(priceIn)))
	hi2, lo2 := bits.Mul64(nonNegative(out), nonNegative(int64(priceOut)))
	// Each product is below 2^126, so their sum plus the rounding fits in 128 bits.
	lo, carry := bits.Add64(lo1, lo2, 0)
	hi, _ := bits.Add64(hi1, hi2, carry)
	lo, carry = bits.Add64(lo, 999_999, 0)
	hi += carry
	if hi >= 1_000_000 { // the quotient would not fit in 64 bits
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, 1_000_000)
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return Cost(q)
}

func nonNegative(v int64) uint64 { return uint64(max(v, 0)) }

func maxOf[T integer]() T {
	var zero T
	return T(uint64(math.MaxUint64) >> (65 - 8*unsafe.Sizeof(zero)))
}

func minOf[T integer]() T { return -maxOf[T]() - 1 }
