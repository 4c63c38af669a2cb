package io.github.taurusdbemulator.junit;

/** An error the emulator answered, in the API's format: its HTTP status, code and message. */
public final class TaurusDBEmulatorException extends RuntimeException {
    private final int status;
    private final String errorCode;
    private final String errorMsg;

    public TaurusDBEmulatorException(int status, String errorCode, String errorMsg) {
        super(status + " " + errorCode + ": " + errorMsg);
        this.status = status;
        this.errorCode = errorCode;
        this.errorMsg = errorMsg;
    }

    public int status() {
        return status;
    }

    public String errorCode() {
        return errorCode;
    }

    public String errorMsg() {
        return errorMsg;
    }
}
