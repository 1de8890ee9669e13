package paypal

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// maxHeaderLen bounds each PAYPAL-* header: real values are under 200 bytes.
const maxHeaderLen = 2048

// Headers are the PAYPAL-* values of one delivery, as sent.
type Headers struct {
	TransmissionID   string
	TransmissionTime string
	// TransmissionSig is the base64 signature as sent.
	TransmissionSig string
	CertURL         string
	AuthAlgo        string
}

// ParseHeaders reads the five PAYPAL-* headers. Each must be present once:
// a missing or empty one wraps ErrNotSigned; a repeated or oversized one, a
// PAYPAL-AUTH-ALGO other than exactly SHA256withRSA, a signature that is not
// base64, or a '|' in the transmission ID or time (it would make the signed
// message ambiguous) wraps ErrInvalidHeader.
func ParseHeaders(h http.Header) (Headers, error) {
	var out Headers
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{HeaderTransmissionID, &out.TransmissionID},
		{HeaderTransmissionTime, &out.TransmissionTime},
		{HeaderTransmissionSig, &out.TransmissionSig},
		{HeaderCertURL, &out.CertURL},
		{HeaderAuthAlgo, &out.AuthAlgo},
	} {
		vals := h.Values(f.name)
		switch {
		case len(vals) == 0 || (len(vals) == 1 && vals[0] == ""):
			return Headers{}, fmt.Errorf("paypal: missing %s: %w", f.name, providers.ErrNotSigned)
		case len(vals) > 1:
			return Headers{}, fmt.Errorf("paypal: %s repeated: %w", f.name, providers.ErrInvalidHeader)
		case len(vals[0]) > maxHeaderLen:
			return Headers{}, fmt.Errorf("paypal: %s longer than %d bytes: %w", f.name, maxHeaderLen, providers.ErrInvalidHeader)
		}
		*f.dst = vals[0]
	}
	if out.AuthAlgo != AuthAlgo {
		return Headers{}, fmt.Errorf("paypal: %s must be %s: %w", HeaderAuthAlgo, AuthAlgo, providers.ErrInvalidHeader)
	}
	if strings.Contains(out.TransmissionID, "|") || strings.Contains(out.TransmissionTime, "|") {
		return Headers{}, fmt.Errorf("paypal: '|' in %s or %s: %w", HeaderTransmissionID, HeaderTransmissionTime, providers.ErrInvalidHeader)
	}
	if _, err := decodeSig(out.TransmissionSig); err != nil {
		return Headers{}, err
	}
	return out, nil
}

func decodeSig(s string) ([]byte, error) {
	sig, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(sig) == 0 {
		return nil, fmt.Errorf("paypal: %s is not base64: %w", HeaderTransmissionSig, providers.ErrInvalidHeader)
	}
	return sig, nil
}

// CRC returns the CRC32-IEEE of body as PayPal writes it in the signed message:
// an unsigned decimal (never hex, never a negative int32).
func CRC(body []byte) string {
	return strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)
}

// Message returns the bytes PayPal signs:
// transmissionID|transmissionTime|webhookID|CRC(body).
func Message(transmissionID, transmissionTime, webhookID string, body []byte) []byte {
	return []byte(transmissionID + "|" + transmissionTime + "|" + webhookID + "|" + CRC(body))
}

// VerifySignature checks h.TransmissionSig, an RSASSA-PKCS1-v1_5 SHA-256
// signature, over Message(h.TransmissionID, h.TransmissionTime, id, body) with key,
// for each accepted webhook ID. It does not look at the certificate URL or the
// algorithm header: ParseHeaders and the certificate checks come first. Errors
// wrap ErrNoSecret (no webhook ID), ErrInvalidHeader or ErrNoValidSignature.
func VerifySignature(key *rsa.PublicKey, h Headers, webhookIDs []string, body []byte) error {
	if len(webhookIDs) == 0 {
		return fmt.Errorf("paypal: no webhook ID configured: %w", providers.ErrNoSecret)
	}
	if key == nil {
		return fmt.Errorf("paypal: no signing key: %w", providers.ErrCertificate)
	}
	sig, err := decodeSig(h.TransmissionSig)
	if err != nil {
		return err
	}
	crc := CRC(body)
	for _, id := range webhookIDs {
		if id == "" {
			continue
		}
		digest := sha256.Sum256([]byte(h.TransmissionID + "|" + h.TransmissionTime + "|" + id + "|" + crc))
		// rsa.VerifyPKCS1v15 compares in constant time.
		if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) == nil {
			return nil
		}
	}
	return fmt.Errorf("paypal: signature does not match the body and webhook ID: %w", providers.ErrNoValidSignature)
}

// CheckTransmissionTime enforces window around now on a PAYPAL-TRANSMISSION-TIME
// (RFC 3339). A zero window turns the check off without parsing the value: the
// signature covers the literal string, so an unusual format is still authentic.
// Errors wrap ErrInvalidHeader (unparsable), ErrTooOld or ErrTooNew.
func CheckTransmissionTime(value string, now time.Time, window time.Duration) error {
	if window <= 0 {
		return nil
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return fmt.Errorf("paypal: %s is not RFC 3339: %w", HeaderTransmissionTime, providers.ErrInvalidHeader)
	}
	switch {
	case now.Sub(t) > window:
		return fmt.Errorf("paypal: transmission time older than %s: %w", window, providers.ErrTooOld)
	case t.Sub(now) > window:
		return fmt.Errorf("paypal: transmission time more than %s ahead: %w", window, providers.ErrTooNew)
	}
	return nil
}
