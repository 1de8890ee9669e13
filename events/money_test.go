package events

import (
	"errors"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             Money
		wantErr          error
	}{
		{"10.99", "USD", Money{1099, "USD"}, nil},
		{"1000", "USD", Money{100000, "USD"}, nil},
		{"0.5", "USD", Money{50, "USD"}, nil},
		{"0", "EUR", Money{0, "EUR"}, nil},
		{"0.00", "EUR", Money{0, "EUR"}, nil},
		{"007.10", "GBP", Money{710, "GBP"}, nil},
		{"10.99", "usd", Money{1099, "USD"}, nil}, // Stripe-style lower case
		{"1000", "JPY", Money{1000, "JPY"}, nil},
		{"500", "krw", Money{500, "KRW"}, nil},
		{"1.234", "KWD", Money{1234, "KWD"}, nil},
		{"1.2", "BHD", Money{1200, "BHD"}, nil},
		{"2", "OMR", Money{2000, "OMR"}, nil},
		{"1.0001", "CLF", Money{10001, "CLF"}, nil},
		{"9.99", "ZZZ", Money{999, "ZZZ"}, nil}, // unknown codes default to 2 decimals
		{"92233720368547758.07", "USD", Money{math.MaxInt64, "USD"}, nil},
		{"9223372036854775807", "JPY", Money{math.MaxInt64, "JPY"}, nil},

		{"10.999", "USD", Money{}, ErrAmountPrecision},
		{"10.990", "USD", Money{}, ErrAmountPrecision}, // trailing zero still counts
		{"1000.5", "JPY", Money{}, ErrAmountPrecision},
		{"1000.0", "JPY", Money{}, ErrAmountPrecision},
		{"1.2345", "KWD", Money{}, ErrAmountPrecision},

		{"", "USD", Money{}, ErrAmountSyntax},
		{".", "USD", Money{}, ErrAmountSyntax},
		{".5", "USD", Money{}, ErrAmountSyntax},
		{"5.", "USD", Money{}, ErrAmountSyntax},
		{"-1.00", "USD", Money{}, ErrAmountSyntax},
		{"+1.00", "USD", Money{}, ErrAmountSyntax},
		{"1e3", "USD", Money{}, ErrAmountSyntax},
		{"1E3", "USD", Money{}, ErrAmountSyntax},
		{"0x10", "USD", Money{}, ErrAmountSyntax},
		{"1,000.00", "USD", Money{}, ErrAmountSyntax},
		{"1_000", "USD", Money{}, ErrAmountSyntax},
		{" 1.00", "USD", Money{}, ErrAmountSyntax},
		{"1.00 ", "USD", Money{}, ErrAmountSyntax},
		{"1.0.0", "USD", Money{}, ErrAmountSyntax},
		{"NaN", "USD", Money{}, ErrAmountSyntax},
		{"Inf", "USD", Money{}, ErrAmountSyntax},
		{"١٢", "USD", Money{}, ErrAmountSyntax}, // non-ASCII digits
		{"1\x00", "USD", Money{}, ErrAmountSyntax},

		{"92233720368547758.08", "USD", Money{}, ErrAmountRange},
		{"9223372036854775808", "JPY", Money{}, ErrAmountRange},
		{"99999999999999999999999", "USD", Money{}, ErrAmountRange},

		{"1.00", "", Money{}, ErrCurrency},
		{"1.00", "US", Money{}, ErrCurrency},
		{"1.00", "USDT", Money{}, ErrCurrency},
		{"1.00", "U$D", Money{}, ErrCurrency},
		{"1.00", "ÜSD", Money{}, ErrCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.amount+"_"+tt.currency, func(t *testing.T) {
			got, err := ParseDecimal(tt.amount, tt.currency)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseDecimal(%q, %q) error = %v, want %v", tt.amount, tt.currency, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDecimal(%q, %q): %v", tt.amount, tt.currency, err)
			}
			if got != tt.want {
				t.Fatalf("ParseDecimal(%q, %q) = %+v, want %+v", tt.amount, tt.currency, got, tt.want)
			}
		})
	}
}

func TestExponent(t *testing.T) {
	tests := []struct {
		currency string
		want     int
	}{
		{"USD", 2}, {"eur", 2}, {"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"CLP", 0},
		{"ISK", 0}, {"UGX", 0}, {"XAF", 0}, {"XOF", 0}, {"BHD", 3}, {"KWD", 3},
		{"OMR", 3}, {"JOD", 3}, {"TND", 3}, {"IQD", 3}, {"LYD", 3}, {"MGA", 2},
	}
	for _, tt := range tests {
		got, err := Exponent(tt.currency)
		if err != nil || got != tt.want {
			t.Errorf("Exponent(%q) = %d, %v; want %d", tt.currency, got, err, tt.want)
		}
	}
	if _, err := Exponent("12A"); !errors.Is(err, ErrCurrency) {
		t.Errorf("Exponent(12A) error = %v, want ErrCurrency", err)
	}
}

func TestFromMinorUnits(t *testing.T) {
	tests := []struct {
		name     string
		amount   int64
		exponent int
		currency string
		want     Money
		wantErr  error
	}{
		{"same scale", 1099, 2, "usd", Money{1099, "USD"}, nil},
		{"zero-decimal same", 500, 0, "jpy", Money{500, "JPY"}, nil},
		{"ISK counted in hundredths", 50000, 2, "isk", Money{500, "ISK"}, nil},
		{"ISK fraction", 50050, 2, "isk", Money{}, ErrAmountPrecision},
		{"MGA counted in units", 500, 0, "mga", Money{50000, "MGA"}, nil},
		{"negative refund", -250, 2, "eur", Money{-250, "EUR"}, nil},
		{"scale up overflow", math.MaxInt64 / 10, 0, "usd", Money{}, ErrAmountRange},
		{"scale up negative overflow", math.MinInt64 / 10, 0, "usd", Money{}, ErrAmountRange},
		{"three decimals down to two", 1230, 3, "usd", Money{123, "USD"}, nil},
		{"bad exponent", 1, -1, "usd", Money{}, ErrAmountRange},
		{"huge exponent", 1, 40, "usd", Money{}, ErrAmountRange},
		{"bad currency", 1, 2, "dollars", Money{}, ErrCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromMinorUnits(tt.amount, tt.exponent, tt.currency)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FromMinorUnits = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestMoneyDecimal(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{Money{1099, "USD"}, "10.99"},
		{Money{5, "EUR"}, "0.05"},
		{Money{-5, "EUR"}, "-0.05"},
		{Money{0, "USD"}, "0.00"},
		{Money{500, "JPY"}, "500"},
		{Money{1234, "KWD"}, "1.234"},
		{Money{math.MinInt64, "USD"}, "-92233720368547758.08"},
		{Money{150, "??"}, "1.50"},
	}
	for _, tt := range tests {
		if got := tt.m.Decimal(); got != tt.want {
			t.Errorf("%+v.Decimal() = %q, want %q", tt.m, got, tt.want)
		}
	}
	if got := (Money{1099, "USD"}).String(); got != "10.99 USD" {
		t.Errorf("String() = %q", got)
	}
}

// validDecimal is the grammar ParseDecimal documents, written independently.
var validDecimal = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// FuzzParseDecimal checks ParseDecimal against an independent big.Rat reference:
// it must accept exactly the inputs of the documented grammar whose value is a
// whole number of minor units within int64, and return that exact number.
func FuzzParseDecimal(f *testing.F) {
	for _, seed := range []string{"10.99", "1000", "0.5", "", ".", "1e3", "-1", "+1", "1.999",
		"92233720368547758.07", "92233720368547758.08", "0000000000000000000000001", "1.2.3", " 1"} {
		for _, cur := range []string{"USD", "JPY", "KWD", "usd", "X1Z"} {
			f.Add(seed, cur)
		}
	}
	f.Fuzz(func(t *testing.T, amount, currency string) {
		got, err := ParseDecimal(amount, currency)

		code, cerr := NormalizeCurrency(currency)
		if cerr != nil {
			if !errors.Is(err, ErrCurrency) {
				t.Fatalf("bad currency %q accepted: %+v, %v", currency, got, err)
			}
			return
		}
		exp, _ := Exponent(code)

		wantOK := validDecimal.MatchString(amount)
		var want *big.Int
		if wantOK {
			_, frac, _ := strings.Cut(amount, ".")
			if len(frac) > exp {
				wantOK = false
			} else {
				r, ok := new(big.Rat).SetString(amount)
				if !ok {
					t.Fatalf("reference parser rejected %q", amount)
				}
				r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
				if !r.IsInt() {
					t.Fatalf("reference: %q scaled by 10^%d is not whole", amount, exp)
				}
				want = r.Num()
				wantOK = want.IsInt64()
			}
		}
		if !wantOK {
			if err == nil {
				t.Fatalf("ParseDecimal(%q, %q) = %+v, want an error", amount, currency, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseDecimal(%q, %q): %v", amount, currency, err)
		}
		if got.Amount != want.Int64() || got.Currency != code {
			t.Fatalf("ParseDecimal(%q, %q) = %+v, want %s %s", amount, currency, got, want, code)
		}
		// Round trip: formatting and parsing again gives the same Money.
		back, err := ParseDecimal(got.Decimal(), got.Currency)
		if err != nil || back != got {
			t.Fatalf("round trip of %+v via %q = %+v, %v", got, got.Decimal(), back, err)
		}
		if s := strconv.FormatInt(got.Amount, 10); strings.HasPrefix(s, "-") {
			t.Fatalf("negative amount %s from %q", s, amount)
		}
	})
}
