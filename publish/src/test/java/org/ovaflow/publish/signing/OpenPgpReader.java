package org.ovaflow.publish.signing;

import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A catalog reader's check, with Bouncy Castle and nothing of {@link CatalogSigner}: a public key, a signature. */
public final class OpenPgpReader {

    /** The primary key of an armored public key (certificate). */
    public static PGPPublicKey publicKey(byte[] armored) throws Exception {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armored))) {
            return new PGPPublicKeyRing(in, new BcKeyFingerprintCalculator()).getPublicKey();
        }
    }

    /** The one signature of an armored detached signature. */
    public static PGPSignature signature(byte[] armored) throws Exception {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armored))) {
            Object packet = new BcPGPObjectFactory(in).nextObject();
            assertThat(packet).isInstanceOf(PGPSignatureList.class);
            PGPSignatureList signatures = (PGPSignatureList) packet;
            assertThat(signatures.size()).isEqualTo(1);
            return signatures.get(0);
        }
    }

    /** Whether {@code armoredSignature} is {@code key}'s signature of exactly {@code data}. */
    public static boolean verified(PGPPublicKey key, byte[] data, byte[] armoredSignature) throws Exception {
        PGPSignature signature = signature(armoredSignature);
        signature.init(new BcPGPContentVerifierBuilderProvider(), key);
        signature.update(data);
        return signature.verify();
    }

    private OpenPgpReader() {
    }
}
