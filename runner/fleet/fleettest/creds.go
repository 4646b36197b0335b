package fleettest

import (
	"os"
	"path/filepath"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// OperatorMode makes an operator, an account and a user of it, writes the
// user's credentials file (JWT and seed) to dir/user.creds, and returns its
// path and the server options that trust the operator and know the
// account. The account has no JetStream.
func OperatorMode(dir string) (credsFile string, edit func(*server.Options), err error) {
	op, err := nkeys.CreateOperator()
	if err != nil {
		return "", nil, err
	}
	opPub, _ := op.PublicKey()
	acct, err := nkeys.CreateAccount()
	if err != nil {
		return "", nil, err
	}
	acctPub, _ := acct.PublicKey()
	acctJWT, err := jwt.NewAccountClaims(acctPub).Encode(op)
	if err != nil {
		return "", nil, err
	}
	user, err := nkeys.CreateUser()
	if err != nil {
		return "", nil, err
	}
	userPub, _ := user.PublicKey()
	userSeed, _ := user.Seed()
	userJWT, err := jwt.NewUserClaims(userPub).Encode(acct)
	if err != nil {
		return "", nil, err
	}
	creds, err := jwt.FormatUserConfig(userJWT, userSeed)
	if err != nil {
		return "", nil, err
	}
	credsFile = filepath.Join(dir, "user.creds")
	if err := os.WriteFile(credsFile, creds, 0o600); err != nil {
		return "", nil, err
	}
	resolver := &server.MemAccResolver{}
	resolver.Store(acctPub, acctJWT)
	return credsFile, func(o *server.Options) {
		o.JetStream = false
		o.TrustedOperators = []*jwt.OperatorClaims{jwt.NewOperatorClaims(opPub)}
		o.AccountResolver = resolver
	}, nil
}
