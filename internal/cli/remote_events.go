package cli

import (
	"fmt"

	"github.com/aiosys/aios/client"
	"github.com/aiosys/aios/kernel"
)

// remotePID stands for the one agent of a remote run in the event printer, which tells agents
// apart by PID.
const remotePID kernel.PID = 1

// showRemoteEvent prints one event of run id's stream as a local run prints its own: log lines
// with their level, tokens after "llm: ", and aios's own lines (a retry, an approval waited
// for, events missed) after "aios: ".
func showRemoteEvent(show eventSink, id string, e client.Event) {
	switch e.Type {
	case client.EventLog:
		show.event(kernel.Event{PID: remotePID, Kind: kernel.EventLog, Level: e.Level, Text: e.Text})
	case client.EventToken:
		show.event(kernel.Event{PID: remotePID, Kind: kernel.EventToken, Text: e.Text})
	case client.EventNotice:
		show.event(kernel.Event{PID: remotePID, Kind: kernel.EventRetry, Text: e.Text})
	case client.EventApproval:
		show.event(kernel.Event{PID: remotePID, Kind: kernel.EventExit})
		show.notice(fmt.Sprintf("aios: run %s waits for approval %s: %s (aios approve %s, or aios deny %s)",
			safeText(id), safeText(e.Approval), safeText(e.Text), safeText(e.Approval), safeText(e.Approval)))
	case client.EventGap:
		show.event(kernel.Event{PID: remotePID, Kind: kernel.EventExit})
		show.notice(fmt.Sprintf("aios: events %d to %d of run %s were dropped before they could be shown", e.MissedFrom, e.MissedTo, safeText(id)))
	case client.EventStatus:
		show.event(kernel.Event{PID: remotePID, Kind: kernel.EventExit})
	}
}
