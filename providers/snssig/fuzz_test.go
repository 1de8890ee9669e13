package snssig

import (
	"errors"
	"testing"

	"github.com/hookgate/hookgate/providers"
)

// FuzzParse: any body parses to a message whose canonical form can be
// built, or fails with a sentinel error; it never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"x","Timestamp":"t","Signature":"s","SignatureVersion":"1","SigningCertURL":"https://sns.us-east-1.amazonaws.com/a.pem"}`))
	f.Add([]byte(`{"Type":"SubscriptionConfirmation","MessageId":"m","Token":"k","TopicArn":"t","Message":"x","SubscribeURL":"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription","Timestamp":"t","Signature":"s","SignatureVersion":"2","SigningCertURL":"u","Subject":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := Parse(body)
		if err != nil {
			if !errors.Is(err, providers.ErrMalformedPayload) && !errors.Is(err, providers.ErrNotSigned) && !errors.Is(err, providers.ErrInvalidHeader) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		_ = m.StringToSign()
		_ = (Policy{}).CheckCertURL(m.SigningCertURL)
		_ = (Policy{}).CheckSubscribeURL(m.SubscribeURL)
	})
}
