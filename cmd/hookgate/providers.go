package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/providers/catalogue"
)

func providersCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "List the providers a source can name (provider: <name>), with their scheme family and docs",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			names, infos := builtin.Describe()
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tPROVIDER\tFAMILY\tHANDSHAKE\tVECTOR\tDOCS")
			for _, n := range names {
				i := infos[n]
				hs, vector := "-", "yes"
				if strings.HasPrefix(i.Display, "Generic") {
					vector = "generic" // configured by the source's options
				}
				if c, ok := catalogue.Lookup(n); ok {
					if c.Handshake != catalogue.HandshakeNone {
						hs = string(c.Handshake)
					}
					if c.Unverified != "" {
						vector = "none published"
					}
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", n, i.Display, i.Family, hs, vector, i.Docs)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "\n%d providers. `hookgate providers show <name>` prints a source's config.\n", len(names))
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show <name>",
		Short: "Print a ready config snippet for a provider and what to set in its dashboard",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			n := providers.Name(args[0])
			names, infos := builtin.Describe()
			i, ok := infos[n]
			if !ok {
				return fmt.Errorf("unknown provider %q (known: %v)", n, names)
			}
			env := strings.ToUpper(strings.NewReplacer("-", "_").Replace(string(n))) + "_SECRET"
			fmt.Fprintf(e.stdout, "# %s (%s), %s\n", i.Display, i.Family, i.Docs)
			fmt.Fprintf(e.stdout, "sources:\n  - name: %s\n    provider: %s\n    secrets:\n      - env: %s   # the %s\n", n, n, env, i.Secret)
			c, inCatalogue := catalogue.Lookup(n)
			if inCatalogue && c.Handshake == catalogue.HandshakeMetaSubscribe {
				fmt.Fprintf(e.stdout, "    options:\n      verify_token: <the Verify Token you enter with the callback URL>\n")
			}
			if inCatalogue && c.Unverified != "" {
				fmt.Fprintf(e.stdout, "# Not checked against an official vector: %s.\n", c.Unverified)
			}
			switch {
			case inCatalogue && c.Handshake == catalogue.HandshakeHookSecret:
				fmt.Fprintf(e.stdout, "\nCreate the %s webhook with the target https://<your gateway>/webhooks/%s?%s=<the value of %s>:\nits handshake hands the gateway %s's signing secret, which the gateway keeps.\n",
					i.Display, n, catalogue.TokenParam, env, i.Display)
			case inCatalogue && c.Family == catalogue.FamilySNS:
				fmt.Fprintf(e.stdout, "\nSubscribe https://<your gateway>/webhooks/%s (protocol HTTPS) to each topic in %s:\nthe gateway verifies the subscription confirmation and confirms it itself.\n", n, env)
			default:
				fmt.Fprintf(e.stdout, "\nIn %s, set the webhook URL to https://<your gateway>/webhooks/%s\nand put its %s in %s.\n", i.Display, n, i.Secret, env)
			}
			return nil
		},
	})
	return cmd
}
