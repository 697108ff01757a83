//! ML-DSA on aws-lc-rs (`PqdsaKeyPair`, `ParsedPublicKey`): pure ML-DSA with an empty
//! context. aws-lc-rs's safe API offers neither a context string nor external mu, so
//! [`MlDsaProvider::supports_input`] says no to those and the default provider sends them to
//! RustCrypto.

use core::fmt;

use aws_lc_rs::signature::{
    self, KeyPair, ParsedPublicKey, PqdsaKeyPair, PqdsaSigningAlgorithm, PqdsaVerificationAlgorithm,
};
use zeroize::Zeroizing;

use crate::provider::{
    ML_DSA_SEED_LEN, MlDsaInput, MlDsaKeyComponents, MlDsaParameterSet, MlDsaPrivateKey,
    MlDsaProvider, MlDsaPublicKey,
};
use crate::{Error, Result};

/// ML-DSA with aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcMlDsa;

fn algorithms(
    set: MlDsaParameterSet,
) -> (
    &'static PqdsaVerificationAlgorithm,
    &'static PqdsaSigningAlgorithm,
) {
    match set {
        MlDsaParameterSet::MlDsa44 => (&signature::ML_DSA_44, &signature::ML_DSA_44_SIGNING),
        MlDsaParameterSet::MlDsa65 => (&signature::ML_DSA_65, &signature::ML_DSA_65_SIGNING),
        MlDsaParameterSet::MlDsa87 => (&signature::ML_DSA_87, &signature::ML_DSA_87_SIGNING),
    }
}

/// The message of a plain input; anything else is refused before reaching AWS-LC.
fn plain_message<'a>(input: &MlDsaInput<'a>) -> Result<&'a [u8]> {
    match input {
        MlDsaInput::Message {
            message,
            context: [],
        } => Ok(message),
        _ => Err(Error::unsupported(
            "ML-DSA",
            "aws-lc-rs implements ML-DSA without context strings or external mu",
        )),
    }
}

struct Public {
    set: MlDsaParameterSet,
    bytes: Vec<u8>,
    key: ParsedPublicKey,
}

impl fmt::Debug for Public {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcMlDsaPublic")
            .field("parameter_set", &self.set)
            .finish()
    }
}

impl Public {
    fn new(set: MlDsaParameterSet, bytes: &[u8]) -> Result<Self> {
        if bytes.len() != set.public_key_len() {
            return Err(Error::InvalidKey(
                "ML-DSA public key of the wrong length for the parameter set",
            ));
        }
        let key = ParsedPublicKey::new(algorithms(set).0, bytes)
            .map_err(|_| Error::InvalidKey("ML-DSA public key rejected"))?;
        Ok(Self {
            set,
            bytes: bytes.to_vec(),
            key,
        })
    }
}

impl MlDsaPublicKey for Public {
    fn parameter_set(&self) -> MlDsaParameterSet {
        self.set
    }
    fn public_key_bytes(&self) -> &[u8] {
        &self.bytes
    }
    fn verify(&self, input: &MlDsaInput<'_>, sig: &[u8]) -> Result<()> {
        let message = plain_message(input)?;
        self.key
            .verify_sig(message, sig)
            .map_err(|_| Error::CryptoFailure)
    }
}

struct Private {
    public: Public,
    pair: PqdsaKeyPair,
}

impl fmt::Debug for Private {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsLcMlDsaPrivate")
            .field("parameter_set", &self.public.set)
            .finish_non_exhaustive()
    }
}

impl MlDsaPublicKey for Private {
    fn parameter_set(&self) -> MlDsaParameterSet {
        self.public.set
    }
    fn public_key_bytes(&self) -> &[u8] {
        &self.public.bytes
    }
    fn verify(&self, input: &MlDsaInput<'_>, sig: &[u8]) -> Result<()> {
        self.public.verify(input, sig)
    }
}

impl MlDsaPrivateKey for Private {
    fn sign(&self, input: &MlDsaInput<'_>) -> Result<Vec<u8>> {
        let message = plain_message(input)?;
        let mut sig = vec![0u8; self.public.set.signature_len()];
        let len = self
            .pair
            .sign(message, &mut sig)
            .map_err(|_| Error::InvalidInput("ML-DSA signing failed"))?;
        sig.truncate(len);
        Ok(sig)
    }
}

fn from_seed(set: MlDsaParameterSet, seed: &[u8]) -> Result<Private> {
    if seed.len() != ML_DSA_SEED_LEN {
        return Err(Error::InvalidKey("ML-DSA seed must be 32 bytes"));
    }
    let pair = PqdsaKeyPair::from_seed(algorithms(set).1, seed)
        .map_err(|_| Error::InvalidKey("ML-DSA seed rejected"))?;
    let public = Public::new(set, pair.public_key().as_ref())?;
    Ok(Private { public, pair })
}

impl MlDsaProvider for AwsLcMlDsa {
    fn supports_input(&self, input: &MlDsaInput<'_>) -> bool {
        input.is_plain()
    }
    fn public_key(
        &self,
        set: MlDsaParameterSet,
        public_key: &[u8],
    ) -> Result<Box<dyn MlDsaPublicKey>> {
        Ok(Box::new(Public::new(set, public_key)?))
    }
    fn private_key(&self, set: MlDsaParameterSet, seed: &[u8]) -> Result<Box<dyn MlDsaPrivateKey>> {
        Ok(Box::new(from_seed(set, seed)?))
    }
    fn generate(&self, set: MlDsaParameterSet) -> Result<MlDsaKeyComponents> {
        let mut seed = Zeroizing::new(vec![0u8; ML_DSA_SEED_LEN]);
        aws_lc_rs::rand::fill(&mut seed).map_err(|_| Error::Random)?;
        let key = from_seed(set, &seed)?;
        Ok(MlDsaKeyComponents {
            parameter_set: set,
            public_key: key.public.bytes.clone(),
            seed,
        })
    }
}
