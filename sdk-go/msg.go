package aios

import "time"

// Mail is a message from another agent of the same run (ABI 1.3).
type Mail struct {
	From uint64 `json:"from"` // the sender's process id
	Body []byte `json:"body"`
}

type msgSendRequest struct {
	To   uint64 `json:"to"`
	Body []byte `json:"body"`
}

type msgRecvRequest struct {
	TimeoutMS *int64 `json:"timeout_ms,omitempty"`
}

// Send puts body in the mailbox of agent to: this agent's parent (Parent), one of its
// children, or a sibling (another child of its parent), which policy must grant
// (calls = ["msg_send"]). Send never blocks: a full mailbox gives an error matching ErrAgain,
// and the sender may retry. A body past the host's bound (64 KiB by default) matches ErrTooBig;
// an agent that is not a relative, or has ended, ErrNotFound.
func Send(to uint64, body []byte) error {
	_, err := agentRequest[struct{}]{name: "msg_send", body: msgSendRequest{To: to, Body: body}, decode: whole[struct{}]("msg_send")}.run(std)
	return err
}

// Recv takes the oldest message in this agent's mailbox, waiting at most timeout for one
// (negative: without a deadline). With none in time the error matches ErrTimeout; with a zero
// timeout and an empty mailbox, ErrAgain.
func Recv(timeout time.Duration) (Mail, error) { return recvRequest(timeout).run(std) }

// StartRecv starts Recv asynchronously, for WaitAny.
func StartRecv(timeout time.Duration) (*Pending[Mail], error) { return recvRequest(timeout).start(std) }

func recvRequest(timeout time.Duration) agentRequest[Mail] {
	return agentRequest[Mail]{name: "msg_recv", body: msgRecvRequest{TimeoutMS: millis(timeout)}, decode: whole[Mail]("msg_recv")}
}
