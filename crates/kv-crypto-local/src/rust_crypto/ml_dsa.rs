//! ML-DSA on the RustCrypto `ml-dsa` crate: pure ML-DSA with any context string, and
//! external mu, for all three parameter sets. Signing is hedged (FIPS 204's default) with
//! randomness from the OS.

use core::fmt;

use getrandom::SysRng;
use ml_dsa::signature::digest::Update;
use ml_dsa::{
    EncodedVerifyingKey, Keypair, MlDsa44, MlDsa65, MlDsa87, MlDsaParams, Seed, Signature,
    SigningKey, VerifyingKey,
};
use zeroize::Zeroizing;

use crate::provider::{
    ML_DSA_MAX_CONTEXT_LEN, ML_DSA_MU_LEN, ML_DSA_SEED_LEN, MlDsaInput, MlDsaKeyComponents,
    MlDsaParameterSet, MlDsaPrivateKey, MlDsaProvider, MlDsaPublicKey,
};
use crate::{Error, Result};

/// ML-DSA with the `ml-dsa` crate.
#[derive(Debug)]
pub struct RustCryptoMlDsa;

struct Public<P: MlDsaParams> {
    set: MlDsaParameterSet,
    bytes: Vec<u8>,
    key: VerifyingKey<P>,
}

impl<P: MlDsaParams> fmt::Debug for Public<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RustCryptoMlDsaPublic")
            .field("parameter_set", &self.set)
            .finish()
    }
}

fn context_ok(context: &[u8]) -> Result<()> {
    if context.len() > ML_DSA_MAX_CONTEXT_LEN {
        Err(Error::InvalidInput(
            "ML-DSA context string longer than 255 bytes",
        ))
    } else {
        Ok(())
    }
}

impl<P: MlDsaParams + Send + Sync + 'static> Public<P> {
    fn new(set: MlDsaParameterSet, bytes: &[u8]) -> Result<Self> {
        let encoded = EncodedVerifyingKey::<P>::try_from(bytes).map_err(|_| {
            Error::InvalidKey("ML-DSA public key of the wrong length for the parameter set")
        })?;
        Ok(Self {
            set,
            bytes: bytes.to_vec(),
            key: VerifyingKey::decode(&encoded),
        })
    }
}

impl<P: MlDsaParams + Send + Sync + 'static> MlDsaPublicKey for Public<P> {
    fn parameter_set(&self) -> MlDsaParameterSet {
        self.set
    }
    fn public_key_bytes(&self) -> &[u8] {
        &self.bytes
    }
    fn verify(&self, input: &MlDsaInput<'_>, sig: &[u8]) -> Result<()> {
        let sig = Signature::<P>::try_from(sig).map_err(|_| Error::CryptoFailure)?;
        let ok = match input {
            MlDsaInput::Message { message, context } => {
                context_ok(context)?;
                self.key.verify_with_context(message, context, &sig)
            }
            MlDsaInput::ExternalMu(mu) => self.key.verify_mu(&(**mu).into(), &sig),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::CryptoFailure)
        }
    }
    fn external_mu(&self, message: &[u8], context: &[u8]) -> Result<[u8; ML_DSA_MU_LEN]> {
        context_ok(context)?;
        let mu = self
            .key
            .compute_mu(
                |h| {
                    h.update(message);
                    Ok(())
                },
                context,
            )
            .map_err(|_| Error::InvalidInput("ML-DSA context string longer than 255 bytes"))?;
        Ok(mu.into())
    }
}

struct Private<P: MlDsaParams> {
    public: Public<P>,
    key: SigningKey<P>,
}

impl<P: MlDsaParams> fmt::Debug for Private<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RustCryptoMlDsaPrivate")
            .field("parameter_set", &self.public.set)
            .finish_non_exhaustive()
    }
}

impl<P: MlDsaParams + Send + Sync + 'static> MlDsaPublicKey for Private<P> {
    fn parameter_set(&self) -> MlDsaParameterSet {
        self.public.set
    }
    fn public_key_bytes(&self) -> &[u8] {
        &self.public.bytes
    }
    fn verify(&self, input: &MlDsaInput<'_>, sig: &[u8]) -> Result<()> {
        self.public.verify(input, sig)
    }
    fn external_mu(&self, message: &[u8], context: &[u8]) -> Result<[u8; ML_DSA_MU_LEN]> {
        self.public.external_mu(message, context)
    }
}

impl<P: MlDsaParams + Send + Sync + 'static> MlDsaPrivateKey for Private<P> {
    fn sign(&self, input: &MlDsaInput<'_>) -> Result<Vec<u8>> {
        let expanded = self.key.expanded_key();
        let sig = match input {
            MlDsaInput::Message { message, context } => {
                context_ok(context)?;
                expanded.sign_randomized(message, context, &mut SysRng)
            }
            MlDsaInput::ExternalMu(mu) => expanded.sign_mu_randomized(&(**mu).into(), &mut SysRng),
        }
        .map_err(|_| Error::Random)?;
        Ok(sig.encode().to_vec())
    }
}

fn private<P: MlDsaParams + Send + Sync + 'static>(
    set: MlDsaParameterSet,
    seed: &[u8],
) -> Result<Box<dyn MlDsaPrivateKey>> {
    let seed =
        Seed::try_from(seed).map_err(|_| Error::InvalidKey("ML-DSA seed must be 32 bytes"))?;
    let key = SigningKey::<P>::from_seed(&seed);
    let encoded = key.verifying_key().encode();
    let public = Public::new(set, &encoded)?;
    Ok(Box::new(Private { public, key }))
}

impl MlDsaProvider for RustCryptoMlDsa {
    fn supports_input(&self, _input: &MlDsaInput<'_>) -> bool {
        true
    }
    fn public_key(
        &self,
        set: MlDsaParameterSet,
        public_key: &[u8],
    ) -> Result<Box<dyn MlDsaPublicKey>> {
        Ok(match set {
            MlDsaParameterSet::MlDsa44 => Box::new(Public::<MlDsa44>::new(set, public_key)?),
            MlDsaParameterSet::MlDsa65 => Box::new(Public::<MlDsa65>::new(set, public_key)?),
            MlDsaParameterSet::MlDsa87 => Box::new(Public::<MlDsa87>::new(set, public_key)?),
        })
    }
    fn private_key(&self, set: MlDsaParameterSet, seed: &[u8]) -> Result<Box<dyn MlDsaPrivateKey>> {
        match set {
            MlDsaParameterSet::MlDsa44 => private::<MlDsa44>(set, seed),
            MlDsaParameterSet::MlDsa65 => private::<MlDsa65>(set, seed),
            MlDsaParameterSet::MlDsa87 => private::<MlDsa87>(set, seed),
        }
    }
    fn generate(&self, set: MlDsaParameterSet) -> Result<MlDsaKeyComponents> {
        let mut seed = Zeroizing::new(vec![0u8; ML_DSA_SEED_LEN]);
        getrandom::fill(&mut seed).map_err(|_| Error::Random)?;
        let key = self.private_key(set, &seed)?;
        Ok(MlDsaKeyComponents {
            parameter_set: set,
            public_key: key.public_key_bytes().to_vec(),
            seed,
        })
    }
}
