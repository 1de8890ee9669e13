package events

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money errors. They never include the amount (amounts are business data that need
// not end up in logs); callers add context with %w.
var (
	// ErrCurrency: the currency is not a three-letter ISO 4217 code.
	ErrCurrency = errors.New("invalid currency code")
	// ErrAmountSyntax: the decimal string is not digits with an optional fraction
	// (signs, exponents, spaces, separators and empty parts are rejected).
	ErrAmountSyntax = errors.New("invalid decimal amount")
	// ErrAmountPrecision: the amount has more fraction digits than the currency's
	// minor unit allows, so it cannot be represented exactly.
	ErrAmountPrecision = errors.New("amount more precise than the currency's minor unit")
	// ErrAmountRange: the amount does not fit in int64 minor units.
	ErrAmountRange = errors.New("amount out of range")
)

// DefaultExponent is the minor-unit exponent of every well-formed currency code
// that is not listed in the exceptions table (two decimals: cents).
const DefaultExponent = 2

// exponents lists the ISO 4217 currencies whose minor unit is not 1/100. Codes not
// listed use DefaultExponent: new codes appear from time to time and nearly all of
// them have two decimals, so an unknown code is accepted rather than dead-lettered.
var exponents = map[string]int{
	// No minor unit.
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
	"XAF": 0, "XOF": 0, "XPF": 0,
	// Thousandths.
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	// Ten-thousandths (units of account).
	"CLF": 4, "UYW": 4,
}

// maxExponent bounds the scale factors used below; 10^18 still fits in int64.
const maxExponent = 18

// NormalizeCurrency returns code in upper case if it is three ASCII letters, and
// wraps ErrCurrency otherwise. Providers differ in case (Stripe sends "usd").
func NormalizeCurrency(code string) (string, error) {
	if len(code) != 3 {
		return "", fmt.Errorf("currency code must be 3 letters: %w", ErrCurrency)
	}
	var b [3]byte
	for i := 0; i < 3; i++ {
		c := code[i]
		switch {
		case 'A' <= c && c <= 'Z':
			b[i] = c
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		default:
			return "", fmt.Errorf("currency code must be 3 letters: %w", ErrCurrency)
		}
	}
	return string(b[:]), nil
}

// Exponent returns the number of decimal places of currency's minor unit (2 for
// USD, 0 for JPY, 3 for KWD). currency may be in any case; a code that is not three
// letters wraps ErrCurrency.
func Exponent(currency string) (int, error) {
	code, err := NormalizeCurrency(currency)
	if err != nil {
		return 0, err
	}
	if e, ok := exponents[code]; ok {
		return e, nil
	}
	return DefaultExponent, nil
}

// ParseDecimal parses a non-negative decimal string such as "10.99", "1000" or
// "0.5" into exact minor units of currency, without floating point.
//
// The accepted syntax is one or more ASCII digits, optionally followed by "." and
// one or more digits. The fraction may have at most Exponent(currency) digits
// (trailing zeros count: "10.990" USD is rejected), so no value is ever rounded.
// Errors wrap ErrCurrency, ErrAmountSyntax, ErrAmountPrecision or ErrAmountRange.
// The returned currency is upper case.
func ParseDecimal(amount, currency string) (Money, error) {
	code, err := NormalizeCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	exp, _ := Exponent(code) // code is valid: Exponent cannot fail here

	whole, frac, hasPoint := strings.Cut(amount, ".")
	if whole == "" || (hasPoint && frac == "") {
		return Money{}, fmt.Errorf("parse amount: missing digits: %w", ErrAmountSyntax)
	}
	if !allDigits(whole) || !allDigits(frac) {
		return Money{}, fmt.Errorf("parse amount: only digits and one decimal point allowed: %w", ErrAmountSyntax)
	}
	if len(frac) > exp {
		return Money{}, fmt.Errorf("parse amount: %d fraction digits, %s allows %d: %w",
			len(frac), code, exp, ErrAmountPrecision)
	}
	// Pad the fraction to exactly exp digits, then read whole+frac as one integer:
	// "10.5" USD -> "1050".
	digits := whole + frac + strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > math.MaxInt64 {
		// digits is all ASCII digits, so the only possible failure is overflow.
		return Money{}, fmt.Errorf("parse amount: %w", ErrAmountRange)
	}
	return Money{Amount: int64(n), Currency: code}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FromMinorUnits converts an integer amount counted in units of 10^-exponent of
// currency into Money in the currency's ISO 4217 minor units. It exists for
// providers whose integer convention differs from ISO 4217 (Stripe counts ISK in
// hundredths although the króna has no minor unit). The conversion is exact: a
// value that would need rounding wraps ErrAmountPrecision, one that overflows
// wraps ErrAmountRange. Negative amounts (refunds) are allowed.
func FromMinorUnits(amount int64, exponent int, currency string) (Money, error) {
	code, err := NormalizeCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	if exponent < 0 || exponent > maxExponent {
		return Money{}, fmt.Errorf("exponent %d outside 0..%d: %w", exponent, maxExponent, ErrAmountRange)
	}
	iso, _ := Exponent(code)
	switch {
	case exponent > iso:
		f := pow10(exponent - iso)
		if amount%f != 0 {
			return Money{}, fmt.Errorf("%s has %d decimals: %w", code, iso, ErrAmountPrecision)
		}
		amount /= f
	case exponent < iso:
		f := pow10(iso - exponent)
		if amount > math.MaxInt64/f || amount < math.MinInt64/f {
			return Money{}, fmt.Errorf("scale amount: %w", ErrAmountRange)
		}
		amount *= f
	}
	return Money{Amount: amount, Currency: code}, nil
}

func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// Decimal formats m as a plain decimal string with the currency's number of
// fraction digits ("10.99" for {1099 USD}, "500" for {500 JPY}, "-0.05" for
// {-5 EUR}). It is the inverse of ParseDecimal for non-negative amounts. A
// malformed currency is formatted with DefaultExponent.
func (m Money) Decimal() string {
	exp, err := Exponent(m.Currency)
	if err != nil {
		exp = DefaultExponent
	}
	// Work on the magnitude as uint64 so math.MinInt64 formats correctly.
	neg := m.Amount < 0
	mag := uint64(m.Amount)
	if neg {
		mag = -mag
	}
	s := strconv.FormatUint(mag, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// String formats m for humans and logs, e.g. "10.99 USD".
func (m Money) String() string { return m.Decimal() + " " + m.Currency }
