package ntlm

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"

	//lint:ignore SA1019 NTOWFv1 is MD4 by definition (MS-NLMP 3.3.1); nothing else here uses it.
	"golang.org/x/crypto/md4"
)

// NTHash is NTOWFv1(password): MD4 of the UTF-16LE password (MS-NLMP
// 3.3.1). It is what a domain controller stores and all the server needs
// to verify NTLMv2 responses.
func NTHash(password string) [16]byte {
	h := md4.New()
	h.Write(encodeUTF16(password))
	var out [16]byte
	h.Sum(out[:0])
	return out
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// ntowfv2 is NTOWFv2 (MS-NLMP 3.3.2) from the NT hash: HMAC_MD5 keyed with
// it over UNICODE(Uppercase(User) || UserDom). UserDom is hashed exactly as
// the client sent it (rawDomain), not case-folded; LMOWFv2 is the same.
func ntowfv2(ntHash [16]byte, user string, rawDomain []byte) []byte {
	return hmacMD5(ntHash[:], encodeUTF16(upper(user)), rawDomain)
}

// ntProofStr is HMAC_MD5(ResponseKeyNT, ServerChallenge || temp) (MS-NLMP
// 3.3.2), temp being the client's NTLMv2_CLIENT_CHALLENGE blob.
func ntProofStr(responseKeyNT []byte, serverChallenge [8]byte, blob []byte) []byte {
	return hmacMD5(responseKeyNT, serverChallenge[:], blob)
}

// lmv2Response is the 24-byte LMv2 response (MS-NLMP 3.3.2):
// HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) ||
// ClientChallenge.
func lmv2Response(responseKeyLM []byte, serverChallenge [8]byte, clientChallenge []byte) []byte {
	return append(hmacMD5(responseKeyLM, serverChallenge[:], clientChallenge), clientChallenge...)
}

// sessionBaseKey is HMAC_MD5(ResponseKeyNT, NTProofStr) (MS-NLMP 3.3.2).
// For NTLMv2 the key exchange key is the session base key itself (KXKEY,
// MS-NLMP 3.4.5.1).
func sessionBaseKey(responseKeyNT, proof []byte) []byte {
	return hmacMD5(responseKeyNT, proof)
}

// rc4K is RC4K(K, D): a fresh RC4 stream keyed with K over D.
func rc4K(key, data []byte) []byte {
	c, err := rc4.NewCipher(key)
	if err != nil {
		// Keys here are always 16 bytes; rc4 accepts 1 to 256.
		panic(err)
	}
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// The magic constants of SIGNKEY and SEALKEY (MS-NLMP 3.4.5.2, 3.4.5.3),
// NUL included.
const (
	clientSigningMagic = "session key to client-to-server signing key magic constant\x00"
	serverSigningMagic = "session key to server-to-client signing key magic constant\x00"
	clientSealingMagic = "session key to client-to-server sealing key magic constant\x00"
	serverSealingMagic = "session key to server-to-client sealing key magic constant\x00"
)

func md5Of(parts ...[]byte) []byte {
	h := md5.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// signKey is SIGNKEY with extended session security (MS-NLMP 3.4.5.2).
func signKey(exportedSessionKey []byte, magic string) []byte {
	return md5Of(exportedSessionKey, []byte(magic))
}

// sealKey is SEALKEY with extended session security (MS-NLMP 3.4.5.3): the
// exported session key cut to 128, 56 or 40 bits as negotiated, hashed
// with the direction's magic constant.
func sealKey(flags Flags, exportedSessionKey []byte, magic string) []byte {
	key := exportedSessionKey
	switch {
	case flags.Has(Flag128):
	case flags.Has(Flag56):
		key = key[:7]
	default:
		key = key[:5]
	}
	return md5Of(key, []byte(magic))
}
