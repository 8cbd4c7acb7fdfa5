package org.ovaflow.validate;

import org.apache.camel.RoutesBuilder;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.validate.ValidationSettings.ManifestPolicy;
import org.ovaflow.validate.ValidationSettings.RemoteHrefPolicy;
import org.ovaflow.validate.ValidationSettings.SignaturePolicy;
import org.ovaflow.validate.checksum.ChecksumStage;
import org.ovaflow.validate.checksum.PackageSources;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.ovf.OvfDescriptorParser;
import org.ovaflow.validate.route.ValidateStageDefinitions;
import org.ovaflow.validate.schema.DescriptorValidator;
import org.ovaflow.validate.schema.SchemaStage;

import java.nio.file.Path;
import java.util.List;

/**
 * The checksum and schema stages: the operator's policies ({@code ovaflow.validate.*}) and their routes.
 * {@code ovaflow inspect} applies the same policies from its options.
 */
public final class ValidateModule implements StageModule {

    public static final String CHECKSUM = "checksum";
    public static final String SCHEMA = "schema";

    public static final Setting<SignaturePolicy> SIGNATURE = Setting.ofEnum("ovaflow.validate.signature",
            SignaturePolicy.class, ValidationSettings.DEFAULTS.signature(), "the OVA's `.cert` (as ovftool writes it: "
                    + "`SHA256(<name>.mf)= <hex signature of the manifest's bytes>`, SHA1 and SHA512 too, then the "
                    + "signer's PEM certificate and its intermediates): `verify-if-present` checks a signature that is "
                    + "there (RSA or EC key; `signature.syntax`, `signature.valid`, `signature.chain`, "
                    + "`signature.expiry`) and says nothing of unsigned packages, `require` also rejects unsigned ones "
                    + "(`signature.present`), `ignore` looks at none");
    public static final Setting<Path> TRUST_STORE = Setting.ofPath("ovaflow.validate.trust-store", "the certificates "
                    + "a signer must chain to (PKIX, no revocation check): a folder of PEM files (each may hold "
                    + "several), one PEM file, or a PKCS12 file with trusted-certificate entries (`keytool "
                    + "-importcert`); read once at start, where one that cannot be read or holds no certificate is "
                    + "refused with its path")
            .documentedDefault("(the JDK's certificate authorities)");
    public static final Setting<String> TRUST_STORE_PASSWORD = Setting.ofText("ovaflow.validate.trust-store-password",
                    null, "the PKCS12 trust store's password; better from the environment variable, which `ps` does "
                    + "not show")
            .orEnvironment("OVAFLOW_TRUST_STORE_PASSWORD").secret();
    public static final Setting<ManifestPolicy> MANIFEST = Setting.ofEnum("ovaflow.validate.manifest",
            ManifestPolicy.class, ValidationSettings.DEFAULTS.manifest(), "a package without a `.mf`: `optional` "
                    + "accepts it with a warning, `require` rejects it (`manifest.present`)");
    public static final Setting<Long> MAX_CAPACITY = Setting.ofBytes("ovaflow.validate.max-capacity",
            ValidationSettings.DEFAULT_MAX_CAPACITY, 1, Long.MAX_VALUE, "the largest disk capacity a descriptor may "
                    + "declare (`ovf.capacity`: capacity bombs)");
    public static final Setting<Long> MAX_PACKAGE_SIZE = Setting.ofBytes("ovaflow.validate.max-package-size",
            PackageSources.Limits.DEFAULTS.maxPackageBytes(), 1, Long.MAX_VALUE, "the largest plain tar a compressed "
                    + "OVA may inflate to (`package.compression`: compression bombs), or an unpacked package's files "
                    + "may add up to (`package.size`)");
    public static final Setting<Integer> MAX_PACKAGE_FILES = Setting.ofInt("ovaflow.validate.max-package-files",
            PackageSources.Limits.DEFAULTS.maxFiles(), 1, Integer.MAX_VALUE, "the most files (chunks counted) an "
                    + "unpacked package's References may name (`package.file-count`)");
    public static final Setting<RemoteHrefPolicy> REMOTE_HREFS = Setting.ofEnum("ovaflow.validate.remote-hrefs",
            RemoteHrefPolicy.class, ValidationSettings.DEFAULTS.remoteHrefs(), "References naming files outside the "
                    + "package (`http:`, `file:`, absolute paths, `..`): `refuse` rejects (`ovf.href-remote`), "
                    + "`allow` warns; they are never fetched");

    @Override
    public List<String> stages() {
        return List.of(CHECKSUM, SCHEMA);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(SIGNATURE, TRUST_STORE, TRUST_STORE_PASSWORD, MANIFEST, MAX_CAPACITY, MAX_PACKAGE_SIZE,
                MAX_PACKAGE_FILES, REMOTE_HREFS);
    }

    @Override
    public RoutesBuilder routes(String stage, StageContext context) {
        Settings settings = context.settings();
        return switch (stage) {
            case CHECKSUM -> new StageRoutes(ValidateStageDefinitions.checksum(new ChecksumStage(context.store(),
                    new PackageVerifier(validationSettings(settings)), new PackageSources(packageLimits(settings)),
                    settings.get(SharedSettings.STAGING_BUCKET), context.metrics())), context.metrics());
            case SCHEMA -> new StageRoutes(ValidateStageDefinitions.schema(new SchemaStage(context.store(),
                    new DescriptorValidator(new OvfDescriptorParser(), validationSettings(settings)),
                    context.metrics())), context.metrics());
            default -> throw new IllegalArgumentException("the validate module has no stage " + stage);
        };
    }

    /** {@code ovaflow.validate.*}: the manifest, signature and descriptor policies of the checksum and schema stages. */
    public static ValidationSettings validationSettings(Settings settings) {
        String password = settings.get(TRUST_STORE_PASSWORD);
        return new ValidationSettings(settings.get(MANIFEST), settings.get(SIGNATURE), settings.get(TRUST_STORE),
                password == null ? null : password.toCharArray(), settings.get(MAX_CAPACITY),
                settings.get(REMOTE_HREFS));
    }

    /** {@code ovaflow.validate.max-package-*}: how large a compressed OVA or an unpacked package may be made. */
    public static PackageSources.Limits packageLimits(Settings settings) {
        return new PackageSources.Limits(settings.get(MAX_PACKAGE_SIZE), settings.get(MAX_PACKAGE_FILES));
    }
}
