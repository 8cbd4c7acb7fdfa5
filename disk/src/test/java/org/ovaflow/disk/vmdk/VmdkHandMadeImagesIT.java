package org.ovaflow.disk.vmdk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.testing.QemuImg;
import org.ovaflow.disk.FileImageSource;
import org.ovaflow.disk.ImageSource;
import org.ovaflow.disk.ReadOptions;

import java.nio.file.Path;
import java.util.TreeMap;

import static org.ovaflow.disk.vmdk.VmdkTestImages.GRAIN;
import static org.ovaflow.disk.vmdk.VmdkTestImages.GRAIN_SECTORS;
import static org.ovaflow.disk.vmdk.VmdkTestImages.filled;
import static org.ovaflow.disk.vmdk.VmdkTestImages.monolithicSparse;
import static org.ovaflow.disk.vmdk.VmdkTestImages.toRaw;

/** qemu-img agrees that the monolithicSparse VMDK VmdkHostileImageTest patches into hostile ones is good to begin with. */
class VmdkHandMadeImagesIT {

    @TempDir
    Path dir;

    @Test
    void qemuAgreesThatTheHandMadeSparseImageIsGood() throws Exception {
        QemuImg qemu = QemuImg.require();
        TreeMap<Long, byte[]> grains = new TreeMap<>();
        grains.put(0L, filled(GRAIN, 1));
        grains.put(3L, filled(GRAIN, 3));
        Path sparse = monolithicSparse(dir.resolve("sparse.vmdk"), 32 * GRAIN_SECTORS, grains, "ffffffff");
        Path raw;
        try (ImageSource source = new FileImageSource(sparse)) {
            raw = toRaw(source, ReadOptions.defaults(), dir.resolve("sparse.raw"));
        }
        qemu.check(sparse, "vmdk");
        qemu.assertSameContent(sparse, "vmdk", raw, "raw");
    }
}
