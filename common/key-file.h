/*
 * key-file.h: an Ed25519 private key in a PEM file (what `openssl genpkey
 * -algorithm ed25519` and `gatectl pass keygen` write), read into its
 * 32-byte seed: gatectl's signing commands and the hub's people pushes.
 */
#ifndef GATED_KEY_FILE_H
#define GATED_KEY_FILE_H

#include <stdint.h>

/* The seed into seed[32]: 0, or -1 with *why (malloc'd).  *loose is set
 * when others may read the file (the caller warns as it does). */
int	key_read_private(const char *path, uint8_t seed[32], int *loose,
	    char **why);

#endif
