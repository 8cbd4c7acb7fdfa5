package org.ovaflow.validate.signature;

import org.ovaflow.core.event.VerifiedSigner;

import org.ovaflow.core.event.CheckResult;

import java.util.List;

/**
 * The signature checks of one package, and its signer when every one of them passed (null otherwise, and for
 * unsigned packages).
 */
public record SignatureVerdict(List<CheckResult> checks, VerifiedSigner signer) {

    /** Nothing checked: signatures ignored, or an unsigned package where a signature is optional. */
    public static final SignatureVerdict NONE = new SignatureVerdict(List.of(), null);
}
