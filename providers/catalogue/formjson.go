package catalogue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"

	"github.com/hookgate/hookgate/providers"
)

// maxFormParts bounds the parts of a multipart body searched for the
// entry's JSON field.
const maxFormParts = 64

// document is r with the entry's JSON document as its body: the value of
// the FormJSON field when the body is a form, the body itself otherwise.
// Errors wrap ErrNotSigned (a form without the field) or
// ErrMalformedPayload (a form that does not parse).
func (p *provider) document(r *providers.Request) (*providers.Request, error) {
	if p.entry.FormJSON == "" {
		return r, nil
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return r, nil // not a form: the body is the document
	}
	var doc []byte
	switch mt {
	case "multipart/form-data":
		doc, err = multipartField(r.Body, params["boundary"], p.entry.FormJSON)
	case "application/x-www-form-urlencoded":
		var form url.Values
		if form, err = url.ParseQuery(string(r.Body)); err != nil {
			return nil, fmt.Errorf("form body does not parse: %w", providers.ErrMalformedPayload)
		}
		if !form.Has(p.entry.FormJSON) {
			return nil, fmt.Errorf("form has no %s field: %w", p.entry.FormJSON, providers.ErrNotSigned)
		}
		doc = []byte(form.Get(p.entry.FormJSON))
	default:
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	c := *r
	c.Body = doc
	return &c, nil
}

// multipartField reads the value of the part named name.
func multipartField(body []byte, boundary, name string) ([]byte, error) {
	if boundary == "" {
		return nil, fmt.Errorf("multipart body without a boundary: %w", providers.ErrMalformedPayload)
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for range maxFormParts {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("form has no %s field: %w", name, providers.ErrNotSigned)
		}
		if err != nil {
			return nil, fmt.Errorf("multipart body does not parse: %w", providers.ErrMalformedPayload)
		}
		if part.FormName() != name {
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, int64(len(body))))
		if err != nil {
			return nil, fmt.Errorf("multipart body does not parse: %w", providers.ErrMalformedPayload)
		}
		return v, nil
	}
	return nil, fmt.Errorf("multipart body of more than %d parts: %w", maxFormParts, providers.ErrMalformedPayload)
}
