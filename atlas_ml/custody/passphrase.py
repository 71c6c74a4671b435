"""Where a signing key's passphrase comes from: the one name the key loader and the settings
share."""

PASSPHRASE_ENV = "ATLAS_ML_SIGNING_KEY_PASSPHRASE"
