package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/iostreams"
	"github.com/drover/drover/cmd/termtext"
	"github.com/drover/drover/runner"
	"github.com/drover/drover/runner/fleet"
)

// controlOptions holds what status and cancel are told.
type controlOptions struct {
	run        string
	nats       string
	conn       natsConn
	json       bool
	cancelWait time.Duration
}

func (o *controlOptions) addFlags(c *cobra.Command) {
	c.Flags().StringVar(&o.nats, "nats", "", "URL of the NATS server (default $"+envNATSURL+")")
	o.conn.addFlags(c.Flags())
}

// open connects to the server that the flags name, as name, and opens
// the namespace of --prefix on it.
func (o *controlOptions) open(ios *iostreams.IOStreams, name string) (*fleetConn, error) {
	url := natsURL(ios, o.nats)
	if url == "" {
		return nil, usageError("%s needs --nats URL (or %s)", name, envNATSURL)
	}
	srv, err := o.conn.open(ios, url, "drover "+name, 0, nil)
	if err != nil {
		return nil, err
	}
	return &fleetConn{srv: srv, url: url}, nil
}

func newStatusCmd(ios *iostreams.IOStreams) *cobra.Command {
	opts := &controlOptions{}
	c := &cobra.Command{
		Use:   "status [RUN] [flags]",
		Short: "Show the fleet runs the server knows, or one run's counts and running jobs",
		Long: `status without RUN lists the runs the NATS server knows (newest first): id,
state, jobs queued, and the drover run that submitted each. With RUN it shows
that run: its state, whether its drover run is still there, its jobs still on
the queue, the jobs running and on which worker, and the results waiting to
be collected. --json prints the same as JSON. Exit 2 for an unknown run.

States: submitting (drover run is queuing jobs), submitted (every job is
queued), canceling, canceled (stopped by drover cancel, results still to be
collected), collected (every result was recorded).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.run = args[0]
			}
			return runStatus(ios, opts)
		},
	}
	opts.addFlags(c)
	c.Flags().BoolVar(&opts.json, "json", false, "print JSON")
	return c
}

func runStatus(ios *iostreams.IOStreams, opts *controlOptions) error {
	fc, err := opts.open(ios, "status")
	if err != nil {
		return err
	}
	defer fc.close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if opts.run == "" {
		list, err := fc.srv.ListRuns(ctx)
		if err != nil {
			return fc.fail(err)
		}
		if opts.json {
			return printJSON(ios.Out, list)
		}
		printRuns(ios.Out, list)
		return nil
	}
	st, err := fc.srv.Status(ctx, opts.run)
	if err != nil {
		return fc.fail(err)
	}
	if opts.json {
		return printJSON(ios.Out, st)
	}
	printStatus(ios.Out, st)
	return nil
}

func printRuns(w io.Writer, list []fleet.RunInfo) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTATE\tQUEUED\tSUBMITTER\tCREATED")
	for _, r := range list {
		state := string(r.State)
		if r.Detached {
			state += " (detached)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", termtext.Escape(r.Run), termtext.Escape(state), r.Queued, termtext.Escape(r.Submitter), r.Created.Format(time.RFC3339))
	}
	tw.Flush()
}

func printStatus(w io.Writer, st *fleet.RunStatus) {
	how := "attached"
	if st.Detached {
		how = "detached"
	}
	alive := "gone"
	if st.SubmitterAlive {
		alive = "running"
	}
	fmt.Fprintf(w, "run %s: %s (%s), submitted by %s (%s) at %s\n", termtext.Escape(st.Run), termtext.Escape(string(st.State)), how, termtext.Escape(st.Submitter), alive, st.Created.Format(time.RFC3339))
	if st.State == fleet.Collected {
		if st.Final != nil {
			fmt.Fprintf(w, "collected: %s\n", countsLine(*st.Final))
		}
		return
	}
	running := 0
	for _, h := range st.Held {
		if h.Running {
			running++
		}
	}
	fmt.Fprintf(w, "queued: %d jobs; on the queue now: %d (%d running, %d taken by a worker, %d waiting for one)\n",
		st.Queued, st.OnQueue, running, len(st.Held)-running, max(st.OnQueue-len(st.Held), 0))
	fmt.Fprintf(w, "results waiting to be collected: %s\n", countsLine(st.Results))
	if st.Incomplete {
		fmt.Fprintln(w, "its drover run was lost before it had queued every job")
	}
	for _, h := range st.Held {
		if h.Running {
			fmt.Fprintf(w, "running: %s (%s) on %s\n", termtext.Escape(h.ID), termtext.Escape(h.Record.String()), termtext.Escape(h.Worker))
		}
	}
}

func countsLine(c runner.Counts) string {
	var parts []string
	for _, p := range []struct {
		n    int
		name string
	}{{c.Succeeded, "succeeded"}, {c.Failed, "failed"}, {c.TimedOut, "timed out"}, {c.Canceled, "canceled"}, {c.Skipped, "skipped"}, {c.DepFailed, "dep_failed"}, {c.NotNeeded, "not needed"}, {c.NotStarted, "not started"}} {
		if p.n == 0 && (p.name == "dep_failed" || p.name == "not needed") {
			continue // shown only for runs with needs
		}
		parts = append(parts, fmt.Sprintf("%d %s", p.n, p.name))
	}
	return strings.Join(parts, ", ")
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// fleetConn is the server of a control command, and the URL it was
// reached at.
type fleetConn struct {
	srv *fleet.Server
	url string
}

func (fc *fleetConn) close() { fc.srv.Conn().Close() }

// fail turns an error from the server into a usage error naming it.
func (fc *fleetConn) fail(err error) error {
	return usageError("NATS server at %s: %s", fleet.Redact(fc.url), fleet.Mask(err.Error(), fc.url))
}
