package client

// URL returns the base URL of the kernel the client calls, as New was given it (without a
// trailing slash).
func (c *Client) URL() string { return c.base }
