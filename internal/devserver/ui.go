package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// uiServer is a running Temporal UI.
type uiServer struct {
	srv  *uiserver.Server
	url  string
	done chan struct{} // closed when srv.Start returns
	// err is what srv.Start returned; read only after done is closed.
	err error
}

// startUI serves the Temporal UI for the frontend at frontendAddr and returns
// once it answers its health check.
func startUI(ctx context.Context, bindIP, dialIP string, port int, frontendAddr, namespace string) (*uiServer, error) {
	var err error
	if port == UIAnyPort {
		if port, err = freePort(bindIP); err != nil {
			return nil, fmt.Errorf("pick ui port: %w", err)
		}
	} else if err := checkPortFree(bindIP, port); err != nil {
		return nil, err
	}

	srv := uiserver.NewServer(server_options.WithConfigProvider(&uiconfig.Config{
		TemporalGRPCAddress: frontendAddr,
		Host:                bindIP,
		Port:                port,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		// The UI is served over plain HTTP on a developer machine; a Secure CSRF
		// cookie would never be sent back and every write action would fail.
		CORS: uiconfig.CORS{CookieInsecure: true},
		// One access-log line per asset request drowns the dev command's output.
		HideLogs: true,
	}))
	ui := &uiServer{
		srv:  srv,
		url:  "http://" + net.JoinHostPort(dialIP, strconv.Itoa(port)),
		done: make(chan struct{}),
	}
	go func() {
		defer close(ui.done)
		// Start returns nil after Stop; a listen failure ends the process inside
		// the UI server (hence checkPortFree above).
		ui.err = srv.Start()
	}()

	if err := poll(ctx, 20*time.Millisecond, func() error { return httpOK(ctx, ui.url+"/healthz") }); err != nil {
		return nil, errors.Join(fmt.Errorf("%w: ui health check: %w", ErrNotReady, err), ui.stop())
	}
	return ui, nil
}

// stop closes the UI's listener and connections and waits for it to exit.
func (u *uiServer) stop() error {
	u.srv.Stop()
	select {
	case <-u.done:
		return u.err
	case <-time.After(10 * time.Second):
		return fmt.Errorf("ui server did not exit within 10s")
	}
}
