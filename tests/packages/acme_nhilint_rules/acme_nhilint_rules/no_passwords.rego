package acme.nhi.passwords

import rego.v1

violation contains {"msg": msg, "location": credential.locations.type, "identity": identity.name} if {
	some identity in input.identities
	some credential in identity.credentials
	credential.type == "password"
	msg := sprintf("credential '%s' of '%s' is a password; use a JIT token or an SVID", [credential.name, identity.name])
}
