"""Drives the fake endpoint with pywinrm (Debian's python3-winrm), an
independent WinRM client, and prints one JSON object per check.

Arguments: URL CA_FILE USER TRANSPORT; the password is in $PYWINRM_PASSWORD.
Debian's pywinrm 0.3.0 run_ps() raises TypeError on Python 3 whenever
stderr is not empty (bytes.startswith(str) in _clean_error_msg), so the
error check runs the same encoded command with run_cmd and hands the text
to pywinrm's own CLIXML cleaner.
"""
import base64
import json
import os
import sys

import winrm

url, ca, user, transport = sys.argv[1:5]
s = winrm.Session(url, auth=(user, os.environ["PYWINRM_PASSWORD"]), transport=transport,
                  server_cert_validation="validate", ca_trust_path=ca)


def show(name, r, **extra):
    out = {"check": name, "status": r.status_code, "stdout": r.std_out.decode("cp437"),
           "stderr": r.std_err.decode("cp437") if isinstance(r.std_err, bytes) else r.std_err}
    out.update(extra)
    print(json.dumps(out))


show("run_ps", s.run_ps("Get-CsPool -Identity pchat.contoso.test | Select-Object -ExpandProperty Fqdn"))
show("run_cmd", s.run_cmd("powershell.exe", ["-NoProfile", "-NonInteractive", "-Command", "Get-CsPersistentChatState"]))
enc = base64.b64encode("Get-CsService -PersistentChatStore".encode("utf_16_le")).decode("ascii")
r = s.run_cmd("powershell -encodedcommand " + enc)
show("error", r, cleaned=s._clean_error_msg(r.std_err.decode("cp437")))
show("long output", s.run_ps("Get-CsService; " * 60))
show("long command line", s.run_cmd("powershell.exe", ["-Command", "'" + "x" * 8200 + "'"]))
