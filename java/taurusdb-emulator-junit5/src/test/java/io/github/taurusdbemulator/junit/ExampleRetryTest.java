package io.github.taurusdbemulator.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/** A request fault is the emulator's, whoever calls: this class runs alone ({@code @Isolated}). */
@Isolated
@ExtendWith(TaurusDBEmulatorExtension.class)
class ExampleRetryTest {
    static final String BUSY = "Another operation is being performed on the DB instance or the DB instance is faulty.";

    /** The code under test: a backup, retried once when the instance is busy (DBS.200019). */
    static String backUpRetrying(GaussDBClient client, TaurusDBProject project) {
        try {
            return ExampleBackupTest.backUp(client, project, "retried");
        } catch (ClientRequestException e) {
            if (!"DBS.200019".equals(e.getErrorCode())) {
                throw e;
            }
            return ExampleBackupTest.backUp(client, project, "retried");
        }
    }

    @AfterEach
    void clear(TaurusDBEmulator emulator) {
        emulator.clearFaults();
    }

    @Test
    void a409IsRetriedOnce(TaurusDBEmulator emulator, TaurusDBProject project, GaussDBClient client) {
        emulator.fault("create", 1, 409, "DBS.200019", BUSY);
        String id = backUpRetrying(client, project);
        assertEquals("BUILDING", ExampleBackupTest.status(client, id));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> faults = (List<Map<String, Object>>) emulator.faults().get("requests");
        assertEquals(1, faults.get(0).get("hits"));
    }
}
