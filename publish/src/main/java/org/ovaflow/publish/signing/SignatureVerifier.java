package org.ovaflow.publish.signing;

import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks detached signatures against a pinned public key (an armored OpenPGP certificate, as
 * {@code keys/ovaflow-signing.asc} or {@code gpg --export --armor} gives it): what a consumer of the catalog holds,
 * without the secret key.
 */
public final class SignatureVerifier {

    private static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    private final Map<Long, PGPPublicKey> keys = new HashMap<>();

    private SignatureVerifier() {
    }

    /**
     * @throws IllegalArgumentException when {@code armoredKey} holds no OpenPGP public key
     */
    public static SignatureVerifier of(byte[] armoredKey) {
        SignatureVerifier verifier = new SignatureVerifier();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armoredKey))) {
            PGPPublicKeyRingCollection rings = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
            for (Iterator<PGPPublicKeyRing> ring = rings.getKeyRings(); ring.hasNext(); ) {
                for (Iterator<PGPPublicKey> key = ring.next().getPublicKeys(); key.hasNext(); ) {
                    PGPPublicKey publicKey = key.next();
                    verifier.keys.put(publicKey.getKeyID(), publicKey);
                }
            }
        } catch (IOException | PGPException | RuntimeException e) {
            throw new IllegalArgumentException("not an OpenPGP public key: " + e.getMessage(), e);
        }
        if (verifier.keys.isEmpty()) {
            throw new IllegalArgumentException("not an OpenPGP public key: no key in it");
        }
        return verifier;
    }

    /** Whether {@code armoredSignature} is a detached signature of exactly {@code data} by one of the keys. */
    public boolean verifies(byte[] data, byte[] armoredSignature) {
        if (armoredSignature == null || armoredSignature.length > MAX_SIGNATURE_BYTES) {
            return false;
        }
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armoredSignature))) {
            Object packets = new BcPGPObjectFactory(in).nextObject();
            if (!(packets instanceof PGPSignatureList signatures)) {
                return false;
            }
            for (PGPSignature signature : signatures) {
                PGPPublicKey key = keys.get(signature.getKeyID());
                if (key != null) {
                    signature.init(new JcaPGPContentVerifierBuilderProvider(), key);
                    signature.update(data);
                    if (signature.verify()) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException | PGPException | RuntimeException e) {
            return false; // not a signature of these bytes by this key
        }
    }
}
