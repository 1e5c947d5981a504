/*
 * key-file.c: an Ed25519 private key's seed out of its PEM file.  Every
 * error is a sentence naming the file, for the caller to print or log.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "key-file.h"
#include "xmalloc.h"

int
key_read_private(const char *path, uint8_t seed[32], int *loose, char **why)
{
	EVP_PKEY	*k;
	FILE		*f;
	struct stat	 st;
	size_t		 len = 32;

	*loose = 0;
	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(why, "%s: %s", path, strerror(errno));
		return -1;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
		*loose = (int)(st.st_mode & 07777);
	fclose(f);
	ERR_clear_error();
	if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_private_key(k, seed, &len) != 1 || len != 32) {
		xasprintf(why, "%s: not an Ed25519 private key in PEM "
		    "(openssl genpkey -algorithm ed25519)", path);
		EVP_PKEY_free(k);
		return -1;
	}
	EVP_PKEY_free(k);
	return 0;
}
