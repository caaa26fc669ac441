package lync

import "testing"

func TestSmoke(t *testing.T) {
	s := startServer(t, nil)
	c := client(t, s, testPass)
	out, errOut, code, err := c.RunPSWithString(`Get-CsService -PersistentChatServer | ConvertTo-Json -Compress; Set-CsPersistentChatActiveServer -Identity "global" -ActiveServers $Null; Get-CsPersistentChatState; Foo-Bar`, "")
	t.Logf("out=%q\nerr=%q\ncode=%d err=%v", out, errOut, code, err)
}
