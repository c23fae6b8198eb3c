namespace Qbee.Authz.Service.Domain.Changes;

// STUB until h16-storage is merged: removed by the merge commit.
internal static class ChangeSetCodec
{
    public static byte[] Encode(ChangeSet changeSet) => throw new NotSupportedException("stub");

    public static ChangeSet Decode(byte[] bytes, string accountId) => throw new InvalidDataException("stub");
}
