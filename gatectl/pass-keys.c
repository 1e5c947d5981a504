/*
 * pass-keys.c: the key files of visitor passes.  The issuer's private key
 * is the PEM that `openssl genpkey -algorithm ed25519` writes (PKCS#8), or
 * that `gatectl pass keygen` writes the same way; public keys are PEM too,
 * or the one-line "ID BASE64" form a gate's configuration lists.  Every
 * error comes back as a sentence naming the file, for gatectl to print.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "gatectl.h"
#include "key-file.h"

/* The raw 32 bytes of an Ed25519 key, private (seed) or public. */
static int
raw_of(EVP_PKEY *k, int private, uint8_t out[PASS_KEY_LEN])
{
	size_t	len = PASS_KEY_LEN;
	int	ok;

	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_ED25519)
		return -1;
	ok = private ? EVP_PKEY_get_raw_private_key(k, out, &len) :
	    EVP_PKEY_get_raw_public_key(k, out, &len);
	return ok == 1 && len == PASS_KEY_LEN ? 0 : -1;
}

int
pass_read_private(const char *path, uint8_t seed[PASS_KEY_LEN], char **why)
{
	int	loose;

	if (key_read_private(path, seed, &loose, why) == -1)
		return -1;
	if (loose != 0)
		fprintf(stderr, "gatectl: warning: %s: permissions %04o: "
		    "others may read the key that signs passes (chmod 600)\n",
		    path, (unsigned)loose);
	return 0;
}

/* A PEM public key, or the public half of a PEM private key. */
static int
read_pem_public(FILE *f, uint8_t pub[PASS_KEY_LEN])
{
	EVP_PKEY	*k;
	int		 rc;

	if ((k = PEM_read_PUBKEY(f, NULL, NULL, NULL)) == NULL) {
		rewind(f);
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	}
	ERR_clear_error();
	rc = k != NULL ? raw_of(k, 0, pub) : -1;
	EVP_PKEY_free(k);
	return rc;
}

/*
 * Public keys from a file: a PEM key, named key_id (required then), or
 * lines of "ID BASE64" (blank lines and # comments skipped).  Appends to
 * keys[*n], at most max in all.
 */
int
pass_read_public(const char *path, const char *key_id, struct pass_key *keys,
    size_t *n, size_t max, char **why)
{
	FILE		*f;
	char		 line[256];
	const char	*cause;
	size_t		 len;
	int		 lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(why, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof line, f) != NULL &&
	    strncmp(line, "-----BEGIN ", 11) == 0) {
		rewind(f);
		if (key_id == NULL) {
			xasprintf(why, "%s: a PEM key needs --key-id", path);
			rc = -1;
		} else if (*n == max) {
			xasprintf(why, "%s: more than %zu keys", path, max);
			rc = -1;
		} else if (read_pem_public(f, keys[*n].pub) == -1) {
			xasprintf(why, "%s: not an Ed25519 key in PEM", path);
			rc = -1;
		} else {
			snprintf(keys[*n].id, sizeof keys[*n].id, "%s", key_id);
			(*n)++;
		}
		fclose(f);
		return rc;
	}
	rewind(f);
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		lineno++;
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (*n == max) {
			xasprintf(why, "%s:%d: more than %zu keys", path,
			    lineno, max);
			rc = -1;
		} else if (pass_key_parse(line, &keys[*n], &cause) == -1) {
			xasprintf(why, "%s:%d: %s", path, lineno, cause);
			rc = -1;
		} else
			(*n)++;
	}
	fclose(f);
	if (rc == 0 && lineno == 0) {
		xasprintf(why, "%s: empty: no key", path);
		rc = -1;
	}
	return rc;
}

/* Creates path with mode, refusing to replace a file; NULL with *why. */
static FILE *
create_new(const char *path, mode_t mode, char **why)
{
	FILE	*f;
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1) {
		xasprintf(why, "%s: %s", path, errno == EEXIST ?
		    "exists: a new key never replaces one" : strerror(errno));
		return NULL;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		xasprintf(why, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
	}
	return f;
}

/*
 * A new Ed25519 key: the private key to path (0600, PKCS#8 PEM as openssl
 * genpkey writes it), the public key to pubpath (PEM), its raw bytes to
 * pub.  Neither file may exist before; on failure neither is left.
 */
int
pass_keygen(const char *path, const char *pubpath, uint8_t pub[PASS_KEY_LEN],
    char **why)
{
	EVP_PKEY	*k;
	FILE		*f, *g = NULL;
	int		 ok;

	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    raw_of(k, 0, pub) == -1) {
		ERR_clear_error();
		EVP_PKEY_free(k);
		xasprintf(why, "no Ed25519 key from OpenSSL");
		return -1;
	}
	if ((f = create_new(path, 0600, why)) == NULL ||
	    (g = create_new(pubpath, 0644, why)) == NULL) {
		if (f != NULL) {
			fclose(f);
			unlink(path);
		}
		EVP_PKEY_free(k);
		return -1;
	}
	ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1 &&
	    PEM_write_PUBKEY(g, k) == 1;
	ok = (fclose(f) == 0) & (fclose(g) == 0) & ok;
	EVP_PKEY_free(k);
	ERR_clear_error();
	if (!ok) {
		xasprintf(why, "%s: cannot write the key", path);
		unlink(path);
		unlink(pubpath);
		return -1;
	}
	return 0;
}
