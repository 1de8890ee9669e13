package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/github"
)

// Verify a delivery with the pure function, using GitHub's documented test
// vector.
func ExampleVerifySignature() {
	body := []byte("Hello, World!")
	header := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

	err := github.VerifySignature(body, header, []string{"It's a Secret to Everybody"})
	fmt.Println("valid:", err)

	err = github.VerifySignature([]byte("Hello, World?"), header, []string{"It's a Secret to Everybody"})
	fmt.Println("tampered:", errors.Is(err, providers.ErrNoValidSignature))
	// Output:
	// valid: <nil>
	// tampered: true
}

// Verify and identify a request the way the gateway does: Verify over the raw
// bytes first, then Identify from the delivery and event headers.
func ExampleNew() {
	p, err := github.New(providers.Spec{
		Source:  "github-main",
		Secrets: []string{"mysecret"},
		Options: func(any) error { return nil },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := &providers.Request{
		Method: http.MethodPost,
		Header: http.Header{
			"X-Hub-Signature-256": {"sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3"},
			"X-Github-Delivery":   {"72d3162e-cc78-11e3-81ab-4c9367dc0958"},
			"X-Github-Event":      {"ping"},
		},
		Body: []byte(`{"foo":"bar"}`),
	}
	if err := p.Verify(context.Background(), r); err != nil {
		fmt.Println("rejected:", providers.ReasonOf(err))
		return
	}
	ev, err := p.Identify(r)
	fmt.Println(ev.ID, ev.Type, err)
	// Output: 72d3162e-cc78-11e3-81ab-4c9367dc0958 ping <nil>
}
